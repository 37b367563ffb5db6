// Package rowcodec turns SQL values into bytes for storage: order-preserving
// key encodings for primary and index keys, and a compact row value format.
//
// It sits under storage's table layer and above nothing but the shared types
// and pgerror packages. It knows values and column ids; it knows nothing of
// Pebble, versions, transactions, or how keys are laid out per table.
//
// # Keys
//
// AppendKey encodes one value so that bytes.Compare of two encodings of the
// same type agrees with types.Compare, values that compare equal (1.0 and
// 1.00, char(n) with and without trailing blanks, -0 and 0, one month and 30
// days) encode identically, and every encoding is self-delimiting
// (prefix-free), so that the encodings of several columns concatenate into a
// composite key that compares column by column. Each value starts with a tag
// byte; NULL's tag sorts after every value's (PostgreSQL's NULLS LAST). A
// descending column is the ascending encoding with every byte inverted, which
// reverses the order of prefix-free encodings and puts NULL first. Keys are
// not decodable back to values: values are always read from the row.
//
// # Row values
//
// A row value lists the row's non-NULL columns in ascending column id order.
// Each starts with a varint header (id delta from the previous column << 3 |
// wire type); the wire type says how long the value is, so a reader can skip
// a column it does not know (one that was dropped) without its type, and a
// column that is absent reads as NULL (one that was added later). Decoder
// appends values straight into Arrow builders without boxing them.
package rowcodec
