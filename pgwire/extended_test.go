package pgwire

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
)

func TestExtendedRowLimitSuspendsAndResumes(t *testing.T) {
	_, addr := startServer(t, Config{}, newFakeEngine())
	c := startRaw(t, addr)
	c.send(
		&pgproto3.Parse{Name: "s1", Query: "gen 10"},
		&pgproto3.Bind{DestinationPortal: "p1", PreparedStatement: "s1", ResultFormatCodes: []int16{0}},
		&pgproto3.Describe{ObjectType: 'P', Name: "p1"},
		&pgproto3.Execute{Portal: "p1", MaxRows: 3},
		&pgproto3.Execute{Portal: "p1", MaxRows: 5}, // crosses the fake's batch of 7
		&pgproto3.Execute{Portal: "p1", MaxRows: 2}, // exactly the rest: suspended, as PostgreSQL
		&pgproto3.Execute{Portal: "p1"},
		&pgproto3.Execute{Portal: "p1"}, // a finished portal fetches nothing
		&pgproto3.Sync{},
	)
	want := []string{
		"1", "2", "T id:20:0,label:25:0",
		"D 1,row 1", "D 2,row 2", "D 3,row 3", "s",
		"D 4,row 4", "D 5,row 5", "D 6,row 6", "D 7,row 7", "D 8,row 8", "s",
		"D 9,row 9", "D 10,row 10", "s",
		"C SELECT 0",
		"C SELECT 0",
		"Z I",
	}
	if got := c.untilReady(); !equalStrings(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	// Outside a transaction block, Sync ends the portal.
	c.send(&pgproto3.Execute{Portal: "p1"}, &pgproto3.Sync{})
	if got := c.untilReady(); !equalStrings(got, []string{`E ERROR 34000 portal "p1" does not exist`, "Z I"}) {
		t.Fatalf("after Sync: %q", got)
	}
	// The statement survives; run it to the end in one Execute.
	c.send(&pgproto3.Bind{PreparedStatement: "s1"}, &pgproto3.Execute{MaxRows: 20}, &pgproto3.Sync{})
	got := c.untilReady()
	if len(got) != 13 || got[11] != "C SELECT 10" {
		t.Fatalf("whole portal: %q", got)
	}
}

func TestExtendedStatementsAndPortals(t *testing.T) {
	_, addr := startServer(t, Config{}, newFakeEngine())
	c := startRaw(t, addr)

	// Describe a statement: its parameters and columns, formats all text.
	c.send(&pgproto3.Parse{Name: "q", Query: "select $1::int8, $2::text", ParameterOIDs: []uint32{20}},
		&pgproto3.Describe{ObjectType: 'S', Name: "q"}, &pgproto3.Sync{})
	want := []string{"1", "t [20 25]", "T p1:20:0,p2:25:0", "Z I"}
	if got := c.untilReady(); !equalStrings(got, want) {
		t.Fatalf("describe statement: got %q want %q", got, want)
	}

	// A portal's description has its result formats; one code for all.
	c.send(&pgproto3.Bind{PreparedStatement: "q", ParameterFormatCodes: []int16{0}, Parameters: [][]byte{[]byte("5"), nil}, ResultFormatCodes: []int16{1}},
		&pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{}, &pgproto3.Sync{})
	want = []string{"2", "T p1:20:1,p2:25:1", "D \x00\x00\x00\x00\x00\x00\x00\x05,NULL", "C SELECT 1", "Z I"}
	if got := c.untilReady(); !equalStrings(got, want) {
		t.Fatalf("binary portal: got %q want %q", got, want)
	}

	// Per-parameter formats: text then binary.
	c.send(&pgproto3.Bind{PreparedStatement: "q", ParameterFormatCodes: []int16{1, 0},
		Parameters: [][]byte{{0, 0, 0, 0, 0, 0, 1, 0}, []byte("x")}}, &pgproto3.Execute{}, &pgproto3.Sync{})
	want = []string{"2", "D 256,x", "C SELECT 1", "Z I"}
	if got := c.untilReady(); !equalStrings(got, want) {
		t.Fatalf("mixed formats: got %q want %q", got, want)
	}

	// A statement without rows has no row description.
	c.send(&pgproto3.Parse{Name: "ins", Query: "insert"}, &pgproto3.Describe{ObjectType: 'S', Name: "ins"},
		&pgproto3.Bind{PreparedStatement: "ins"}, &pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{MaxRows: 1},
		&pgproto3.Sync{})
	want = []string{"1", "t []", "n", "2", "n", "C INSERT 0 1", "Z I"}
	if got := c.untilReady(); !equalStrings(got, want) {
		t.Fatalf("no-row statement: got %q want %q", got, want)
	}

	// Named statements may not be redefined; the unnamed one is replaced.
	c.send(&pgproto3.Parse{Name: "q", Query: "insert"}, &pgproto3.Sync{})
	if got := c.untilReady(); !equalStrings(got, []string{`E ERROR 42P05 prepared statement "q" already exists`, "Z I"}) {
		t.Fatalf("duplicate: %q", got)
	}
	c.send(&pgproto3.Parse{Query: "select 1"}, &pgproto3.Parse{Query: "select 2"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{})
	if got := c.untilReady(); !equalStrings(got, []string{"1", "1", "2", "D 2", "C SELECT 1", "Z I"}) {
		t.Fatalf("unnamed replaced: %q", got)
	}

	// Close, then use: 26000 for the statement.
	c.send(&pgproto3.Close{ObjectType: 'S', Name: "q"}, &pgproto3.Close{ObjectType: 'S', Name: "never"},
		&pgproto3.Bind{PreparedStatement: "q"}, &pgproto3.Sync{})
	want = []string{"3", "3", `E ERROR 26000 prepared statement "q" does not exist`, "Z I"}
	if got := c.untilReady(); !equalStrings(got, want) {
		t.Fatalf("closed statement: got %q want %q", got, want)
	}

	// Closing a portal in a transaction block.
	c.send(&pgproto3.Query{String: "begin"})
	c.untilReady()
	c.send(&pgproto3.Parse{Name: "g", Query: "gen 3"}, &pgproto3.Bind{DestinationPortal: "cur", PreparedStatement: "g"},
		&pgproto3.Execute{Portal: "cur", MaxRows: 1}, &pgproto3.Sync{})
	if got := c.untilReady(); !equalStrings(got, []string{"1", "2", "D 1,row 1", "s", "Z T"}) {
		t.Fatalf("portal in block: %q", got)
	}
	// In a transaction block the portal outlives Sync.
	c.send(&pgproto3.Bind{DestinationPortal: "cur", PreparedStatement: "g"}, &pgproto3.Sync{})
	if got := c.untilReady(); !equalStrings(got, []string{`E ERROR 42P03 cursor "cur" already exists`, "Z T"}) {
		t.Fatalf("duplicate portal: %q", got)
	}
	c.send(&pgproto3.Execute{Portal: "cur", MaxRows: 1}, &pgproto3.Close{ObjectType: 'P', Name: "cur"},
		&pgproto3.Execute{Portal: "cur"}, &pgproto3.Sync{})
	want = []string{"D 2,row 2", "s", "3", `E ERROR 34000 portal "cur" does not exist`, "Z T"}
	if got := c.untilReady(); !equalStrings(got, want) {
		t.Fatalf("closed portal: got %q want %q", got, want)
	}
}

func TestExtendedErrorSkipsToSync(t *testing.T) {
	eng := newFakeEngine()
	_, addr := startServer(t, Config{}, eng)
	c := startRaw(t, addr)
	before := eng.executed.Load()
	c.send(
		&pgproto3.Parse{Query: "error 42P01 relation \"t\" does not exist"},
		&pgproto3.Bind{}, &pgproto3.Execute{}, // skipped
		&pgproto3.Parse{Name: "later", Query: "insert"}, // skipped too
		&pgproto3.Sync{},
		&pgproto3.Parse{Query: "insert"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{},
	)
	want := []string{`E ERROR 42P01 relation "t" does not exist`, "Z I"}
	if got := c.untilReady(); !equalStrings(got, want) {
		t.Fatalf("got %q want %q", got, want)
	}
	if got := c.untilReady(); !equalStrings(got, []string{"1", "2", "C INSERT 0 1", "Z I"}) {
		t.Fatalf("after Sync: %q", got)
	}
	if n := eng.executed.Load() - before; n != 1 {
		t.Fatalf("%d executions, want 1", n)
	}
	c.send(&pgproto3.Bind{PreparedStatement: "later"}, &pgproto3.Sync{})
	if got := c.untilReady(); !equalStrings(got, []string{`E ERROR 26000 prepared statement "later" does not exist`, "Z I"}) {
		t.Fatalf("skipped Parse left a statement: %q", got)
	}
}

func TestExtendedBindChecks(t *testing.T) {
	_, addr := startServer(t, Config{}, newFakeEngine())
	c := startRaw(t, addr)
	c.send(&pgproto3.Parse{Name: "q", Query: "select $1::int4"}, &pgproto3.Sync{})
	c.untilReady()
	cases := []struct {
		bind *pgproto3.Bind
		want string
	}{
		{&pgproto3.Bind{PreparedStatement: "q"},
			`E ERROR 08P01 bind message supplies 0 parameters, but prepared statement "q" requires 1`},
		{&pgproto3.Bind{PreparedStatement: "q", ParameterFormatCodes: []int16{0, 0}, Parameters: [][]byte{[]byte("1")}},
			"E ERROR 08P01 bind message has 2 parameter formats but 1 parameters"},
		{&pgproto3.Bind{PreparedStatement: "q", Parameters: [][]byte{[]byte("1")}, ResultFormatCodes: []int16{0, 1}},
			"E ERROR 08P01 bind message has 2 result formats but 1 columns"},
		{&pgproto3.Bind{PreparedStatement: "q", Parameters: [][]byte{[]byte("1")}, ResultFormatCodes: []int16{2}},
			"E ERROR 22023 unsupported format code: 2"},
		{&pgproto3.Bind{PreparedStatement: "q", Parameters: [][]byte{[]byte("x1")}},
			`E ERROR 22P02 invalid input syntax for type integer: "x1"`},
		{&pgproto3.Bind{PreparedStatement: "q", ParameterFormatCodes: []int16{1}, Parameters: [][]byte{{1, 2}}},
			"E ERROR 22P03 incorrect binary data format in bind parameter 1"},
		{&pgproto3.Bind{PreparedStatement: "q", Parameters: [][]byte{{0xff, 0xfe}}},
			`E ERROR 22021 invalid byte sequence for encoding "UTF8"`},
	}
	for _, tc := range cases {
		c.send(tc.bind, &pgproto3.Execute{}, &pgproto3.Sync{})
		if got := c.untilReady(); !equalStrings(got, []string{tc.want, "Z I"}) {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}

func TestExtendedMultipleStatementsRefused(t *testing.T) {
	_, addr := startServer(t, Config{}, newFakeEngine())
	c := startRaw(t, addr)
	c.send(&pgproto3.Parse{Query: "insert; insert"}, &pgproto3.Sync{})
	if got := c.untilReady(); !equalStrings(got, []string{"E ERROR 42601 cannot insert multiple commands into a prepared statement", "Z I"}) {
		t.Fatalf("got %q", got)
	}
}

func TestExtendedErrorInTheMiddleOfRows(t *testing.T) {
	_, addr := startServer(t, Config{}, newFakeEngine())
	c := startRaw(t, addr)
	c.send(&pgproto3.Parse{Query: "nextfail 2"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{})
	want := []string{"1", "2", "D 1,row 1", "D 2,row 2", "E ERROR 22012 division by zero", "Z I"}
	if got := c.untilReady(); !equalStrings(got, want) {
		t.Fatalf("got %q want %q", got, want)
	}
}

// Flush makes the server send what the extended-query messages before it
// produced, without waiting for a Sync, and leaves the transaction open
// until the Sync comes.
func TestExtendedFlushSendsWithoutSync(t *testing.T) {
	_, addr := startServer(t, Config{}, newFakeEngine())
	c := startRaw(t, addr)
	c.send(&pgproto3.Parse{Name: "s1", Query: "gen 2"}, &pgproto3.Bind{PreparedStatement: "s1"},
		&pgproto3.Execute{}, &pgproto3.Flush{})
	var got []string
	for len(got) == 0 || got[len(got)-1] != "C SELECT 2" {
		s := c.next()
		if strings.HasPrefix(s, "Z ") {
			t.Fatalf("ReadyForQuery before Sync: %q", append(got, s))
		}
		got = append(got, s)
	}
	if want := []string{"1", "2", "D 1,row 1", "D 2,row 2", "C SELECT 2"}; !equalStrings(got, want) {
		t.Errorf("after Flush: %q, want %q", got, want)
	}
	c.send(&pgproto3.Sync{})
	if got := c.untilReady(); !equalStrings(got, []string{"Z I"}) {
		t.Errorf("after Sync: %q", got)
	}
}
