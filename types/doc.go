// Package types is the shared vocabulary of SQL types and values.
//
// A T names a SQL type (its Kind plus a type modifier, as PostgreSQL's
// typmod). Each Kind has one physical Arrow representation, used by every
// batch that flows between operators, and one Go representation for single
// values (a Datum), used where work is row at a time: constants, DML, keys and
// the wire protocol.
//
//	Kind                   Datum (Go)     Arrow
//	Bool                   bool           Boolean
//	Int2, Int4, Int8       int64          Int16, Int32, Int64
//	Oid, Reg*              int64          Int64
//	Float4, Float8         float64        Float32, Float64
//	Numeric                *apd.Decimal   String (canonical decimal text)
//	Text, Varchar, Char,   string         String
//	Name, JSON, JSONB,
//	Unknown
//	Bytea                  []byte         Binary
//	Date                   DateValue      Date32 (days since 1970-01-01)
//	Time                   TimeOfDay      Time64(us)
//	Timestamp              TimestampValue Timestamp(us)
//	TimestampTZ            TimestampValue Timestamp(us, UTC)
//	Interval               IntervalValue  MonthDayNanoInterval
//	UUID                   UUIDValue      FixedSizeBinary(16)
//	Array                  []Datum        List(elem)
//
// NULL is the nil Datum. Datums are immutable once made; *apd.Decimal values
// must not be modified after they are handed on.
//
// Text input and output follow PostgreSQL (DateStyle ISO, MDY; bytea hex;
// shortest round-trip floats). This package is a leaf: it imports nothing of
// portalsdb's but pgerror.
package types
