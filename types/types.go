package types

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// Kind is the family of a SQL type.
type Kind uint8

// The kinds of SQL types portalsdb knows.
const (
	Unknown Kind = iota // an untyped literal ('abc' before resolution) or NULL
	Bool
	Int2
	Int4
	Int8
	Float4
	Float8
	Numeric
	Text
	Varchar
	Char // bpchar: blank-padded
	Name
	Bytea
	Date
	Time
	Timestamp
	TimestampTZ
	Interval
	UUID
	JSONB
	Oid
	RegClass
	RegType
	RegProc
	RegNamespace
	Array
	Void
	Record
	JSON // text as written; jsonb is the normalized form
	numKinds
)

// T is a SQL type. The zero value is the Unknown type.
type T struct {
	Kind Kind
	// Mod is the type modifier as the user wrote it: the length of
	// varchar(n) and char(n), the precision and scale of numeric(p,s)
	// packed as p<<16|s, or -1 when there is none. The zero T has Mod 0,
	// which the constructors below never produce; compare types with Equal.
	Mod int32
	// Elem is the element kind of an Array.
	Elem Kind
}

// Common types, with no modifier.
var (
	UnknownType     = T{Kind: Unknown, Mod: -1}
	BoolType        = T{Kind: Bool, Mod: -1}
	Int2Type        = T{Kind: Int2, Mod: -1}
	Int4Type        = T{Kind: Int4, Mod: -1}
	Int8Type        = T{Kind: Int8, Mod: -1}
	Float4Type      = T{Kind: Float4, Mod: -1}
	Float8Type      = T{Kind: Float8, Mod: -1}
	NumericType     = T{Kind: Numeric, Mod: -1}
	TextType        = T{Kind: Text, Mod: -1}
	VarcharType     = T{Kind: Varchar, Mod: -1}
	CharType        = T{Kind: Char, Mod: -1}
	NameType        = T{Kind: Name, Mod: -1}
	ByteaType       = T{Kind: Bytea, Mod: -1}
	DateType        = T{Kind: Date, Mod: -1}
	TimeType        = T{Kind: Time, Mod: -1}
	TimestampType   = T{Kind: Timestamp, Mod: -1}
	TimestampTZType = T{Kind: TimestampTZ, Mod: -1}
	IntervalType    = T{Kind: Interval, Mod: -1}
	UUIDType        = T{Kind: UUID, Mod: -1}
	JSONBType       = T{Kind: JSONB, Mod: -1}
	OidType         = T{Kind: Oid, Mod: -1}
	RegClassType    = T{Kind: RegClass, Mod: -1}
	RegTypeType     = T{Kind: RegType, Mod: -1}
	RegProcType     = T{Kind: RegProc, Mod: -1}
	RegNamespaceTyp = T{Kind: RegNamespace, Mod: -1}
	VoidType        = T{Kind: Void, Mod: -1}
	RecordType      = T{Kind: Record, Mod: -1}
	JSONType        = T{Kind: JSON, Mod: -1}
)

// ArrayOf returns the array type with elements of kind elem.
func ArrayOf(elem Kind) T { return T{Kind: Array, Mod: -1, Elem: elem} }

// VarcharN returns varchar(n).
func VarcharN(n int32) T { return T{Kind: Varchar, Mod: n} }

// CharN returns char(n).
func CharN(n int32) T { return T{Kind: Char, Mod: n} }

// NumericPS returns numeric(p, s).
func NumericPS(p, s int32) T { return T{Kind: Numeric, Mod: p<<16 | s} }

// NumericPrecisionScale unpacks the modifier of numeric(p,s). ok is false
// for an unconstrained numeric.
func (t T) NumericPrecisionScale() (p, s int32, ok bool) {
	if t.Kind != Numeric || t.Mod < 0 {
		return 0, 0, false
	}
	return t.Mod >> 16, t.Mod & 0xffff, true
}

// Equal reports whether two types are the same, modifier included.
func (t T) Equal(u T) bool { return t == u }

// Same reports whether two types are the same, ignoring modifiers.
func (t T) Same(u T) bool { return t.Kind == u.Kind && t.Elem == u.Elem }

// ElemType returns the element type of an array type.
func (t T) ElemType() T { return T{Kind: t.Elem, Mod: -1} }

// IsInteger reports whether t is int2, int4 or int8.
func (t T) IsInteger() bool { return t.Kind == Int2 || t.Kind == Int4 || t.Kind == Int8 }

// IsFloat reports whether t is float4 or float8.
func (t T) IsFloat() bool { return t.Kind == Float4 || t.Kind == Float8 }

// IsNumeric reports whether t is one of the numeric types: integers,
// floats and numeric.
func (t T) IsNumeric() bool { return t.IsInteger() || t.IsFloat() || t.Kind == Numeric }

// IsString reports whether t is a character string type.
func (t T) IsString() bool {
	switch t.Kind {
	case Text, Varchar, Char, Name:
		return true
	}
	return false
}

// IsOidLike reports whether t is oid or one of the reg* alias types.
func (t T) IsOidLike() bool {
	switch t.Kind {
	case Oid, RegClass, RegType, RegProc, RegNamespace:
		return true
	}
	return false
}

// IsDatetime reports whether t is date, time, timestamp or timestamptz.
func (t T) IsDatetime() bool {
	switch t.Kind {
	case Date, Time, Timestamp, TimestampTZ:
		return true
	}
	return false
}

type kindInfo struct {
	name    string // PostgreSQL's user-facing name, as format_type prints it
	typname string // pg_type.typname
	oid     uint32
	arrOid  uint32 // the OID of the array type whose elements are this kind
	size    int16  // typlen
}

var kinds = [numKinds]kindInfo{
	Unknown:      {"unknown", "unknown", 705, 0, -2},
	Bool:         {"boolean", "bool", 16, 1000, 1},
	Int2:         {"smallint", "int2", 21, 1005, 2},
	Int4:         {"integer", "int4", 23, 1007, 4},
	Int8:         {"bigint", "int8", 20, 1016, 8},
	Float4:       {"real", "float4", 700, 1021, 4},
	Float8:       {"double precision", "float8", 701, 1022, 8},
	Numeric:      {"numeric", "numeric", 1700, 1231, -1},
	Text:         {"text", "text", 25, 1009, -1},
	Varchar:      {"character varying", "varchar", 1043, 1015, -1},
	Char:         {"character", "bpchar", 1042, 1014, -1},
	Name:         {"name", "name", 19, 1003, 64},
	Bytea:        {"bytea", "bytea", 17, 1001, -1},
	Date:         {"date", "date", 1082, 1182, 4},
	Time:         {"time without time zone", "time", 1083, 1183, 8},
	Timestamp:    {"timestamp without time zone", "timestamp", 1114, 1115, 8},
	TimestampTZ:  {"timestamp with time zone", "timestamptz", 1184, 1185, 8},
	Interval:     {"interval", "interval", 1186, 1187, 16},
	UUID:         {"uuid", "uuid", 2950, 2951, 16},
	JSONB:        {"jsonb", "jsonb", 3802, 3807, -1},
	Oid:          {"oid", "oid", 26, 1028, 4},
	RegClass:     {"regclass", "regclass", 2205, 2210, 4},
	RegType:      {"regtype", "regtype", 2206, 2211, 4},
	RegProc:      {"regproc", "regproc", 24, 1008, 4},
	RegNamespace: {"regnamespace", "regnamespace", 4089, 4090, 4},
	Array:        {"anyarray", "anyarray", 2277, 0, -1},
	Void:         {"void", "void", 2278, 0, 4},
	Record:       {"record", "record", 2249, 2287, -1},
	JSON:         {"json", "json", 114, 199, -1},
}

// Oid returns the PostgreSQL OID of t's type.
func (t T) Oid() uint32 {
	if t.Kind == Array {
		if a := kinds[t.Elem].arrOid; a != 0 {
			return a
		}
	}
	return kinds[t.Kind].oid
}

// TypName returns pg_type.typname of t.
func (t T) TypName() string {
	if t.Kind == Array {
		return "_" + kinds[t.Elem].typname
	}
	return kinds[t.Kind].typname
}

// Len returns pg_type.typlen of t: the fixed size in bytes, or -1 for
// variable-length types.
func (t T) Len() int16 {
	if t.Kind == Array {
		return -1
	}
	return kinds[t.Kind].size
}

// TypeModifier returns the typmod PostgreSQL reports for t on the wire and in
// pg_attribute.atttypmod: -1 when there is none.
func (t T) TypeModifier() int32 {
	switch t.Kind {
	case Varchar, Char:
		if t.Mod >= 0 {
			return t.Mod + 4
		}
	case Numeric:
		if t.Mod >= 0 {
			return t.Mod + 4
		}
	}
	return -1
}

// String returns the type's name as PostgreSQL's format_type prints it.
func (t T) String() string {
	switch t.Kind {
	case Array:
		return T{Kind: t.Elem, Mod: t.Mod}.String() + "[]"
	case Varchar, Char:
		if t.Mod >= 0 {
			return fmt.Sprintf("%s(%d)", kinds[t.Kind].name, t.Mod)
		}
		if t.Kind == Char {
			return "bpchar"
		}
	case Numeric:
		if p, s, ok := t.NumericPrecisionScale(); ok {
			return fmt.Sprintf("numeric(%d,%d)", p, s)
		}
	}
	return kinds[t.Kind].name
}

// FromOid returns the type with the given PostgreSQL OID.
func FromOid(oid uint32) (T, bool) {
	for k := Kind(0); k < numKinds; k++ {
		if kinds[k].oid == oid && k != Array {
			return T{Kind: k, Mod: -1}, true
		}
		if kinds[k].arrOid == oid {
			return ArrayOf(k), true
		}
	}
	return T{}, false
}

// AllKinds returns every scalar kind, for catalogs that list types.
func AllKinds() []Kind {
	out := make([]Kind, 0, numKinds)
	for k := Kind(0); k < numKinds; k++ {
		out = append(out, k)
	}
	return out
}

// ArrayOid returns the OID of the array type whose elements are of kind k,
// or 0.
func (k Kind) ArrayOid() uint32 { return kinds[k].arrOid }

// Type returns the unmodified type of kind k.
func (k Kind) Type() T { return T{Kind: k, Mod: -1} }

var byName = map[string]T{
	"bool": BoolType, "boolean": BoolType,
	"int2": Int2Type, "smallint": Int2Type,
	"int4": Int4Type, "int": Int4Type, "integer": Int4Type,
	"int8": Int8Type, "bigint": Int8Type,
	"float4": Float4Type, "real": Float4Type,
	"float8": Float8Type, "double precision": Float8Type, "float": Float8Type,
	"numeric": NumericType, "decimal": NumericType,
	"text":    TextType,
	"varchar": VarcharType, "character varying": VarcharType,
	"bpchar": CharType, "char": CharN(1), "character": CharN(1),
	"name":  NameType,
	"bytea": ByteaType,
	"date":  DateType,
	"time":  TimeType, "time without time zone": TimeType,
	"timestamp": TimestampType, "timestamp without time zone": TimestampType,
	"timestamptz": TimestampTZType, "timestamp with time zone": TimestampTZType,
	"interval": IntervalType,
	"uuid":     UUIDType,
	"jsonb":    JSONBType, "json": JSONType,
	"oid":      OidType,
	"regclass": RegClassType, "regtype": RegTypeType, "regproc": RegProcType,
	"regprocedure": RegProcType, "regnamespace": RegNamespaceTyp,
	"void": VoidType, "record": RecordType, "unknown": UnknownType,
	// MySQL and SQLite spellings that the sqllogictest corpus uses inside
	// PostgreSQL-compatible records.
	"signed": Int8Type,
}

// FromName returns the type with the given name: a typname such as "int4"
// or a SQL spelling such as "integer". Names are case-insensitive.
func FromName(name string) (T, bool) {
	name = strings.ToLower(name)
	if strings.HasSuffix(name, "[]") {
		e, ok := FromName(strings.TrimSuffix(name, "[]"))
		if !ok || e.Kind == Array {
			return T{}, false
		}
		return ArrayOf(e.Kind), true
	}
	if strings.HasPrefix(name, "_") {
		if e, ok := byName[name[1:]]; ok {
			return ArrayOf(e.Kind), true
		}
	}
	t, ok := byName[name]
	return t, ok
}

// ArrowType returns the physical Arrow type of values of type t.
func (t T) ArrowType() arrow.DataType {
	switch t.Kind {
	case Bool:
		return arrow.FixedWidthTypes.Boolean
	case Int2:
		return arrow.PrimitiveTypes.Int16
	case Int4:
		return arrow.PrimitiveTypes.Int32
	case Int8, Oid, RegClass, RegType, RegProc, RegNamespace:
		return arrow.PrimitiveTypes.Int64
	case Float4:
		return arrow.PrimitiveTypes.Float32
	case Float8:
		return arrow.PrimitiveTypes.Float64
	case Bytea:
		return arrow.BinaryTypes.Binary
	case Date:
		return arrow.FixedWidthTypes.Date32
	case Time:
		return arrow.FixedWidthTypes.Time64us
	case Timestamp:
		return timestampArrow
	case TimestampTZ:
		return timestampTZArrow
	case Interval:
		return arrow.FixedWidthTypes.MonthDayNanoInterval
	case UUID:
		return uuidArrow
	case Array:
		return arrow.ListOf(t.ElemType().ArrowType())
	case Void:
		return arrow.Null
	default: // Unknown, Numeric, strings, JSON, JSONB, Record
		return arrow.BinaryTypes.String
	}
}

var (
	timestampArrow   = &arrow.TimestampType{Unit: arrow.Microsecond}
	timestampTZArrow = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	uuidArrow        = &arrow.FixedSizeBinaryType{ByteWidth: 16}
)

// Category is PostgreSQL's typcategory, used for implicit-cast preference.
func (t T) Category() byte {
	switch t.Kind {
	case Bool:
		return 'B'
	case Int2, Int4, Int8, Float4, Float8, Numeric, Oid, RegClass, RegType, RegProc, RegNamespace:
		return 'N'
	case Text, Varchar, Char, Name:
		return 'S'
	case Date, Time, Timestamp, TimestampTZ:
		return 'D'
	case Interval:
		return 'T'
	case Array:
		return 'A'
	case Unknown:
		return 'X'
	case Record:
		return 'P'
	}
	return 'U'
}
