package catalog

import (
	"portalsdb/types"
)

// OID ranges. User objects start where PostgreSQL's do, so that tools that
// filter on oid >= 16384 see them as user objects.
const (
	FirstUserOID      uint32 = 16384
	PgCatalogOID      uint32 = 11
	PublicOID         uint32 = 2200
	InformationSchOID uint32 = 13000
	PortalsCatalogOID uint32 = 13100
	PostgresRoleOID   uint32 = 10
	PostgresDBOID     uint32 = 5
)

// ObjectKind is the kind of a relation-like object.
type ObjectKind uint8

// View check options (Table.ViewCheckOption).
const (
	CheckLocal    = "local"
	CheckCascaded = "cascaded"
)

// Relation kinds. The values are stored: append only.
const (
	KindTable    ObjectKind = 1
	KindView     ObjectKind = 2
	KindStream   ObjectKind = 3
	KindWorkflow ObjectKind = 4
	KindSequence ObjectKind = 5
)

func (k ObjectKind) String() string {
	switch k {
	case KindTable:
		return "table"
	case KindView:
		return "view"
	case KindStream:
		return "stream"
	case KindWorkflow:
		return "workflow"
	case KindSequence:
		return "sequence"
	}
	return "object"
}

// Schema is a namespace.
type Schema struct {
	OID   uint32 `json:"oid"`
	Name  string `json:"name"`
	Owner uint32 `json:"owner"`
}

// Column is a table column. IDs are never reused within a table, so that
// stored rows keep their meaning across ADD and DROP COLUMN.
type Column struct {
	ID      uint32  `json:"id"`
	Name    string  `json:"name"`
	Type    types.T `json:"type"`
	NotNull bool    `json:"not_null,omitempty"`
	// Default is the DEFAULT expression as SQL text, empty for none.
	Default string `json:"default,omitempty"`
	// Sequence is the legacy link of a serial column made before sequences
	// were catalog objects: the name of its storage id counter. The engine
	// turns such columns into ones owning a sequence when it opens a data
	// directory (sql/sequence_upgrade.go), so only old descriptors have it.
	Sequence string `json:"sequence,omitempty"`
	Identity bool   `json:"identity,omitempty"`
}

// Index is a secondary index, or the description of the primary key.
type Index struct {
	OID     uint32   `json:"oid"`
	Name    string   `json:"name"`
	Columns []uint32 `json:"columns"` // column ids
	Desc    []bool   `json:"desc,omitempty"`
	Unique  bool     `json:"unique,omitempty"`
	// StorageID is the storage object id of the index entries; zero means
	// the OID.
	StorageID uint64 `json:"storage_id,omitempty"`
	// Constraint is true when the index was made by a UNIQUE constraint
	// rather than CREATE INDEX (it then shows in \d as a constraint).
	Constraint bool `json:"constraint,omitempty"`
}

// Check is a CHECK constraint.
type Check struct {
	Name string `json:"name"`
	Expr string `json:"expr"` // SQL text
}

// Table describes a table, view, stream or workflow: anything that can be
// read like a table.
type Table struct {
	OID    uint32     `json:"oid"`
	Schema uint32     `json:"schema"`
	Name   string     `json:"name"`
	Kind   ObjectKind `json:"kind"`
	Owner  uint32     `json:"owner"`

	Columns      []Column `json:"columns"`
	NextColumnID uint32   `json:"next_column_id"`
	// PrimaryKey lists column ids; empty means a hidden row id.
	PrimaryKey []uint32 `json:"primary_key,omitempty"`
	PKName     string   `json:"pk_name,omitempty"`
	// StorageID is the storage object id of the table's rows; zero means
	// the OID. TRUNCATE gives a table a fresh one.
	StorageID uint64 `json:"storage_id,omitempty"`
	// PKOID is the OID of the primary key's index, for pg_index.
	PKOID   uint32  `json:"pk_oid,omitempty"`
	Indexes []Index `json:"indexes,omitempty"`
	Checks  []Check `json:"checks,omitempty"`

	// ViewSQL is a view's or a workflow's defining query.
	ViewSQL string `json:"view_sql,omitempty"`
	// ViewCheckOption is a view's WITH CHECK OPTION: "", CheckLocal or
	// CheckCascaded.
	ViewCheckOption string `json:"view_check_option,omitempty"`

	// Changelog is set on a table some workflow reads: each transaction
	// that changes it appends its changes, as one atom, to the table's log.
	Changelog bool `json:"changelog,omitempty"`
	// Stream describes a stream.
	Stream *StreamDesc `json:"stream,omitempty"`
	// Workflow describes a workflow.
	Workflow *WorkflowDesc `json:"workflow,omitempty"`
	// Sequence describes a sequence.
	Sequence *SequenceDesc `json:"sequence,omitempty"`

	// DependsOn lists the relations a view (or workflow) reads, so that
	// dropping them is refused without CASCADE.
	DependsOn []uint32 `json:"depends_on,omitempty"`
	// CallsPortals lists the portals a workflow asks.
	CallsPortals []uint32 `json:"calls_portals,omitempty"`

	// Options holds kind-specific settings (stream retention, workflow
	// definitions), as the owning subsystem encodes them.
	Options map[string]string `json:"options,omitempty"`
}

// Column returns the column with the given name, case-sensitively (names
// are already folded by the parser).
func (t *Table) Column(name string) (*Column, int, bool) {
	for i := range t.Columns {
		if t.Columns[i].Name == name {
			return &t.Columns[i], i, true
		}
	}
	return nil, -1, false
}

// ColumnByID returns the column with the given id.
func (t *Table) ColumnByID(id uint32) (*Column, int, bool) {
	for i := range t.Columns {
		if t.Columns[i].ID == id {
			return &t.Columns[i], i, true
		}
	}
	return nil, -1, false
}

// Clone returns a deep copy, to be changed by DDL.
func (t *Table) Clone() *Table {
	c := *t
	c.Columns = append([]Column(nil), t.Columns...)
	c.PrimaryKey = append([]uint32(nil), t.PrimaryKey...)
	c.Indexes = make([]Index, len(t.Indexes))
	for i, ix := range t.Indexes {
		ix.Columns = append([]uint32(nil), ix.Columns...)
		ix.Desc = append([]bool(nil), ix.Desc...)
		c.Indexes[i] = ix
	}
	c.Checks = append([]Check(nil), t.Checks...)
	c.DependsOn = append([]uint32(nil), t.DependsOn...)
	if t.Stream != nil {
		sd := *t.Stream
		c.Stream = &sd
	}
	if t.Workflow != nil {
		wd := *t.Workflow
		c.Workflow = &wd
	}
	if t.Sequence != nil {
		sd := *t.Sequence
		c.Sequence = &sd
	}
	if t.Options != nil {
		c.Options = make(map[string]string, len(t.Options))
		for k, v := range t.Options {
			c.Options[k] = v
		}
	}
	return &c
}

// StreamDesc is what a stream adds to a relation.
type StreamDesc struct {
	// WatermarkColumn and WatermarkExpr define the stream's watermark:
	// WATERMARK FOR column AS expression (SQL text).
	WatermarkColumn string `json:"watermark_column,omitempty"`
	WatermarkExpr   string `json:"watermark_expr,omitempty"`
	// Retention keeps events this long (an interval, as text); empty keeps
	// them forever.
	Retention string `json:"retention,omitempty"`
	// Generator, when set, names the built-in source that fills the
	// stream, with its arguments as SQL text.
	Generator     string            `json:"generator,omitempty"`
	GeneratorArgs map[string]string `json:"generator_args,omitempty"`
	// Paused stops a generator stream's generator (ALTER STREAM ...
	// PAUSE) until ALTER STREAM ... RESUME.
	Paused bool `json:"paused,omitempty"`
	// Sequencer, when set, lists the streams whose atoms a sequencer
	// copies into this one, in order.
	Sequencer []uint32 `json:"sequencer,omitempty"`
	// Split is set on the streams a splitter fills.
	Split *SplitDesc `json:"split,omitempty"`
}

// SplitDesc is one split of a splitter: the stream it names receives the
// events of Source for which Predicate is the first condition that holds.
type SplitDesc struct {
	// Splitter is the splitter's name, in the split stream's schema.
	Splitter string `json:"splitter"`
	// ID is the OID of the splitter's first split: it names the splitter's
	// position, which adding splits keeps.
	ID     uint32 `json:"id"`
	Source uint32 `json:"source"`
	// Predicate is the condition's SQL text over the source's columns.
	Predicate string `json:"predicate"`
	// Order is the split's place in the splitter: lower goes first.
	Order int `json:"order"`
}

// Fed reports whether the stream is filled by the system (a generator, a
// sequencer or a splitter), not by INSERT.
func (s *StreamDesc) Fed() bool {
	return s != nil && (s.Generator != "" || len(s.Sequencer) > 0 || s.Split != nil)
}

// WorkflowDesc is what a workflow adds to a relation.
type WorkflowDesc struct {
	// Into is the stream the output changes are also appended to.
	Into uint32 `json:"into,omitempty"`
	// EmitOnWindowClose makes windowed aggregates emit only final rows.
	EmitOnWindowClose bool `json:"emit_on_window_close,omitempty"`
	// MaterializedView records that it was made as one, for \dm.
	MaterializedView bool `json:"materialized_view,omitempty"`
	// AppendOnly records that the workflow's output only inserts rows, as
	// its plan said at creation: its result is kept as its output log
	// rather than as counted rows (see exec.ReadResult). The descriptor,
	// not a later plan, decides the layout of the stored result; workflows
	// from before the flag keep counted rows.
	AppendOnly bool `json:"append_only,omitempty"`
	// SearchPath is the search path the query's names were resolved
	// with, so a restart resolves them the same way.
	SearchPath []string `json:"search_path,omitempty"`
}

// SequenceDesc is what a sequence adds to a relation: its parameters,
// which are transactional like all DDL, and the id of its position, which
// is not (nextval and setval write it at once, outside MVCC: see
// storage.Position and docs/decisions/0008-sequences.md).
type SequenceDesc struct {
	// Type is smallint, integer or bigint: it bounds the defaults of Min
	// and Max.
	Type      types.T `json:"type"`
	Start     int64   `json:"start"`
	Increment int64   `json:"increment"`
	Min       int64   `json:"min"`
	Max       int64   `json:"max"`
	Cache     int64   `json:"cache"`
	Cycle     bool    `json:"cycle,omitempty"`
	// OwnedByTable and OwnedByColumn (a column id) name the column the
	// sequence belongs to (OWNED BY, serial and identity columns):
	// dropping the column or its table drops the sequence. Zero for none.
	OwnedByTable  uint32 `json:"owned_by_table,omitempty"`
	OwnedByColumn uint32 `json:"owned_by_column,omitempty"`
	// Identity marks the sequence of an identity column, which only the
	// column may use (pg_depend's deptype 'i').
	Identity bool `json:"identity,omitempty"`
	// PositionID names the sequence's storage.Position. RESTART gives the
	// sequence a fresh id, so that a rolled-back RESTART leaves the old
	// position as it was.
	PositionID uint64 `json:"position_id"`
	// Restart is the first value handed out from a position never
	// written: START at creation, the RESTART value after one.
	Restart int64 `json:"restart"`
}

// Portal is a request/reply service served by a table or a workflow.
type Portal struct {
	OID    uint32 `json:"oid"`
	Schema uint32 `json:"schema"`
	Name   string `json:"name"`
	Owner  uint32 `json:"owner"`
	// Args are the arguments, in order.
	Args []Column `json:"args"`
	// Returns are the reply's columns.
	Returns []Column `json:"returns"`
	// Server is the table or workflow that serves the portal.
	Server uint32 `json:"server"`
	// Body is the statement run per request (SQL text), its arguments
	// named as declared.
	Body string `json:"body"`
	// Writes is set when the body changes the server table.
	Writes bool `json:"writes,omitempty"`
	// Calls lists the portals the body calls.
	Calls []uint32 `json:"calls,omitempty"`
	// DependsOn lists the relations the body reads.
	DependsOn []uint32 `json:"depends_on,omitempty"`
	// SearchPath resolves the body's names as at creation.
	SearchPath []string `json:"search_path,omitempty"`
}

// Role is a login or group role.
type Role struct {
	OID       uint32 `json:"oid"`
	Name      string `json:"name"`
	Login     bool   `json:"login"`
	Superuser bool   `json:"superuser"`
	// SCRAMSecret is the stored SCRAM-SHA-256 verifier, empty for none.
	SCRAMSecret string `json:"scram_secret,omitempty"`
}
