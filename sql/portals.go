package sql

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	pg "github.com/pganalyze/pg_query_go/v6"

	"portalsdb/batch"
	"portalsdb/exec"
	"portalsdb/exec/expr"
	"portalsdb/pgerror"
	"portalsdb/planner"
	"portalsdb/planner/logical"
	"portalsdb/portals"
	"portalsdb/sql/binder"
	"portalsdb/sql/catalog"
	"portalsdb/sql/parser"
	"portalsdb/storage"
	"portalsdb/types"
)

// Portals as the SQL layer sees them.
//
// A portal is a named statement with typed arguments, served by a table or
// a workflow. Calls bind to a portalFunction, which the executor treats as
// a set-returning function in FROM. How a call runs depends on the body:
//
//   - A body that only reads runs in the caller's transaction, at its
//     snapshot, so a query that calls a portal still reads every object at
//     one atom position. A call to a workflow's portal first waits, as any
//     read of a workflow does, until the workflow has absorbed the caller's
//     commits (read-your-writes).
//   - A body that changes its table goes to the table's portals.Server,
//     which runs waiting requests one after another in one transaction and
//     commits them as one atom of the table before it replies. The call is
//     autonomous: it commits on its own, even inside the caller's
//     transaction block, as a request to a service does.
//
// A portal body that calls a portal of a table whose request it is already
// serving (directly or further up the chain) runs inline in that request's
// transaction: the server's one worker is busy with the outer request and
// would otherwise wait for itself.

// maxPortalDepth bounds nested portal calls. Call cycles are refused when
// portals are created, so this only stops absurdly deep chains.
const maxPortalDepth = 200

// portalFunction is a portal as a function in FROM; it implements
// exec.SetFunction, exec.BatchSetFunction and exec.Asker.
type portalFunction struct {
	e    *Engine
	p    *catalog.Portal
	snap *catalog.Snapshot
}

func (f *portalFunction) Start(ctx *exec.Context, args []types.Datum) (exec.RowIterator, error) {
	res, err := f.call(ctx, nil, [][]types.Datum{args})
	if err != nil {
		return nil, err
	}
	return &replyIterator{b: res[0]}, nil
}

func (f *portalFunction) StartAll(ctx *exec.Context, args [][]types.Datum) ([]*batch.Batch, error) {
	return f.call(ctx, nil, args)
}

func (f *portalFunction) Ask(ctx *exec.Context, ids [][16]byte, args [][]types.Datum) ([]*batch.Batch, error) {
	return f.call(ctx, ids, args)
}

// ForgetAsks drops the replies kept for the workflow's earlier atoms by
// this portal and by every portal its body calls, however deep: nested
// calls of an ask keep replies too.
func (f *portalFunction) ForgetAsks(ctx *exec.Context) error {
	if ctx.Atom == 0 {
		return nil
	}
	seen := map[uint32]bool{}
	var forget func(p *catalog.Portal) error
	forget = func(p *catalog.Portal) error {
		if seen[p.OID] {
			return nil
		}
		seen[p.OID] = true
		if p.Writes {
			if err := portals.ForgetReplies(ctx.Txn, p.OID, ctx.Workflow, ctx.Atom); err != nil {
				return err
			}
		}
		for _, c := range p.Calls {
			if q, ok := f.snap.PortalByOID(c); ok {
				if err := forget(q); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return forget(f.p)
}

// ReturnsTable marks portals as functions returning a table (see the
// binder's aliasing rule).
func (f *portalFunction) ReturnsTable() bool { return true }

type replyIterator struct{ b *batch.Batch }

func (r *replyIterator) Next(*exec.Context) (*batch.Batch, error) {
	b := r.b
	r.b = nil
	return b, nil
}

// servingKey marks, in a request's context, the tables whose requests the
// call chain is serving, with their transactions.
type servingKey struct{}

type serving struct {
	table  uint32
	txn    *storage.Txn
	depth  int
	parent *serving
}

func servingOf(ctx context.Context) *serving {
	s, _ := ctx.Value(servingKey{}).(*serving)
	return s
}

// txnServing returns the transaction of the request for table up the
// chain, or nil.
func (s *serving) txnServing(table uint32) *storage.Txn {
	for ; s != nil; s = s.parent {
		if s.table == table {
			return s.txn
		}
	}
	return nil
}

// askKey marks, in the context of a body serving an ask, the ask: nested
// calls derive their own request ids from it, so that every change the
// ask causes, however deep, is applied once even when the asking workflow
// replays the atom.
type askKey struct{}

type askScope struct {
	workflow uint32
	atom     storage.Seq
	id       [16]byte
	// calls numbers the nested calls the body makes, in order.
	calls atomic.Uint64
}

// childIDs derives the ids of n nested requests to portal.
func (a *askScope) childIDs(portal uint32, n int) [][16]byte {
	ids := make([][16]byte, n)
	for i := range ids {
		h := fnv.New128a()
		h.Write(a.id[:])
		h.Write(binary.BigEndian.AppendUint32(nil, portal))
		h.Write(binary.BigEndian.AppendUint64(nil, a.calls.Add(1)))
		copy(ids[i][:], h.Sum(nil))
	}
	return ids
}

// withCatalog returns the evaluation context of a body: the caller's,
// with the portal's catalog when the caller has none (a workflow's ask), so
// that the body's sequence functions (a serial column's default) work.
func (f *portalFunction) withCatalog(caller *expr.Ctx) *expr.Ctx {
	if caller != nil && caller.Catalog != nil {
		return caller
	}
	var ev expr.Ctx
	if caller != nil {
		ev = *caller
	}
	ev.Catalog = &catalogView{e: f.e, snap: f.snap}
	return &ev
}

// call runs the portal once per argument row. ids, set for a workflow's
// asks, make the requests idempotent; calls made while serving an ask get
// ids derived from it.
func (f *portalFunction) call(ctx *exec.Context, ids [][16]byte, args [][]types.Datum) (result []*batch.Batch, err error) {
	defer f.e.portalStats.record(f.p.OID, len(args), time.Now(), &err)
	prog, err := f.e.portalProgram(f.snap, f.p)
	if err != nil {
		return nil, err
	}
	chain := servingOf(ctx.Ctx)
	depth := 1
	if chain != nil {
		depth = chain.depth + 1
	}
	if depth > maxPortalDepth {
		return nil, pgerror.Newf(pgerror.ProgramLimitExceeded, "portal calls nested more than %d deep", maxPortalDepth)
	}
	var workflow uint32
	var atom storage.Seq
	switch parent, _ := ctx.Ctx.Value(askKey{}).(*askScope); {
	case ids != nil:
		workflow, atom = ctx.Workflow, ctx.Atom
	case parent != nil:
		workflow, atom = parent.workflow, parent.atom
		ids = parent.childIDs(f.p.OID, len(args))
	}
	// bodyCtx is the context a request's body runs in.
	bodyCtx := func(i int, s *serving) context.Context {
		c := context.WithValue(ctx.Ctx, servingKey{}, s)
		if ids != nil {
			c = context.WithValue(c, askKey{}, &askScope{workflow: workflow, atom: atom, id: ids[i]})
		}
		return c
	}
	eval := f.withCatalog(ctx.Eval)
	out := make([]*batch.Batch, len(args))
	if !f.p.Writes || chain.txnServing(f.p.Server) != nil {
		// Reads run at the caller's snapshot; a table already being
		// served up the chain runs the call in that request's
		// transaction, whose commit (and stored reply) covers it.
		txn := ctx.Txn
		if t := chain.txnServing(f.p.Server); t != nil {
			txn = t
		}
		for i, a := range args {
			if out[i], err = prog.run(bodyCtx(i, &serving{depth: depth, parent: chain}), eval, txn, a); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	reqs := make([]portals.Request, len(args))
	for i := range args {
		i, a := i, args[i]
		reqs[i] = portals.Request{Types: prog.types, Serve: func(txn *storage.Txn) (*batch.Batch, error) {
			return prog.run(bodyCtx(i, &serving{table: f.p.Server, txn: txn, depth: depth, parent: chain}), eval, txn, a)
		}}
		if ids != nil {
			reqs[i].ReplyKey = portals.ReplyKey(f.p.OID, workflow, atom, ids[i])
		}
	}
	server, ok := f.snap.TableByOID(f.p.Server)
	if !ok {
		return nil, pgerror.Newf(pgerror.UndefinedTable, "the table serving portal %q no longer exists", f.p.Name)
	}
	replies, err := f.e.rt.Server(f.p.Server, server.Name).Call(ctx.Ctx, reqs)
	if err != nil {
		return nil, err
	}
	for i, r := range replies {
		if r.Err != nil {
			return nil, r.Err
		}
		out[i] = r.Rows
	}
	return out, nil
}

// portalProgram is a portal's body bound against one catalog snapshot,
// with physical plans of it kept for reuse: operators can be opened again
// after they close, and planning is most of the cost of a small call.
type portalProgram struct {
	snap  *catalog.Snapshot
	bound *binder.Bound
	types []types.T
	// generators materializes the atoms of generator streams the body
	// reads.
	generators exec.Generators

	mu   sync.Mutex
	free []*planner.Plan
}

// maxFreePlans bounds the plans a program keeps: about the number of calls
// of one portal that run at once.
const maxFreePlans = 64

// takePlan returns a plan to run, reused or new.
func (prog *portalProgram) takePlan() (*planner.Plan, error) {
	prog.mu.Lock()
	if n := len(prog.free); n > 0 {
		p := prog.free[n-1]
		prog.free = prog.free[:n-1]
		prog.mu.Unlock()
		return p, nil
	}
	prog.mu.Unlock()
	return planner.Build(prog.bound.Plan, idSource())
}

// givePlan keeps a plan whose run ended well, for the next call.
func (prog *portalProgram) givePlan(p *planner.Plan) {
	prog.mu.Lock()
	if len(prog.free) < maxFreePlans {
		prog.free = append(prog.free, p)
	}
	prog.mu.Unlock()
}

// portalPrograms caches bound bodies per portal descriptor (descriptors
// are immutable, so a pointer names a version).
type portalPrograms struct {
	mu sync.Mutex
	m  map[*catalog.Portal]*portalProgram
}

// portalProgram returns p's body bound against snap, binding it again when
// the catalog changed since.
func (e *Engine) portalProgram(snap *catalog.Snapshot, p *catalog.Portal) (*portalProgram, error) {
	e.programs.mu.Lock()
	prog := e.programs.m[p]
	e.programs.mu.Unlock()
	if prog != nil && prog.snap == snap {
		return prog, nil
	}
	prog, err := e.bindPortal(snap, p)
	if err != nil {
		return nil, err
	}
	e.programs.mu.Lock()
	if e.programs.m == nil || len(e.programs.m) > 4096 {
		e.programs.m = map[*catalog.Portal]*portalProgram{}
	}
	e.programs.m[p] = prog
	e.programs.mu.Unlock()
	return prog, nil
}

// bindPortal binds a portal's body, its arguments as named parameters,
// and casts its result to the declared columns.
func (e *Engine) bindPortal(snap *catalog.Snapshot, p *catalog.Portal) (*portalProgram, error) {
	tree, err := pg.Parse(p.Body)
	if err != nil || len(tree.Stmts) != 1 {
		return nil, pgerror.Newf(pgerror.DataCorrupted, "portal %q has an unparsable body", p.Name)
	}
	view := &catalogView{e: e, snap: snap, searchPath: append([]string{"pg_catalog"}, p.SearchPath...)}
	argTypes := make([]types.T, len(p.Args))
	argNames := make([]string, len(p.Args))
	for i, a := range p.Args {
		argTypes[i], argNames[i] = a.Type, a.Name
	}
	b := binder.New(view, argTypes)
	b.SetArgNames(p.Name, argNames)
	bound, err := b.Bind(tree.Stmts[0].Stmt)
	if err != nil {
		return nil, err
	}
	if bound.Columns == nil {
		return nil, pgerror.Newf(pgerror.InvalidFunctionDefinition, "the body of portal %q returns no rows", p.Name).
			WithHint("Add RETURNING to an INSERT, UPDATE or DELETE body.")
	}
	if len(bound.Columns) != len(p.Returns) {
		return nil, pgerror.Newf(pgerror.InvalidFunctionDefinition, "return type mismatch in portal %q", p.Name).
			WithDetail(fmt.Sprintf("The body returns %d columns; RETURNS TABLE declares %d.", len(bound.Columns), len(p.Returns)))
	}
	exprs := make([]expr.Expr, len(p.Returns))
	cols := make([]logical.Column, len(p.Returns))
	ts := make([]types.T, len(p.Returns))
	cast := false
	for i, c := range bound.Columns {
		want := p.Returns[i].Type
		var x expr.Expr = &expr.ColRef{ID: c.ID, T: c.Type, Name: c.Name}
		if !c.Type.Same(want) {
			if x, err = binder.Coerce(x, want, "portal result"); err != nil {
				return nil, pgerror.Newf(pgerror.InvalidFunctionDefinition, "return type mismatch in portal %q", p.Name).
					WithDetail(fmt.Sprintf("The body returns %s instead of %s at column %d.", c.Type, want, i+1))
			}
			cast = true
		}
		exprs[i] = x
		cols[i] = logical.Column{ID: b.NextColumnID(), Name: p.Returns[i].Name, Type: want}
		ts[i] = want
	}
	if cast {
		bound.Plan = &logical.Project{Input: bound.Plan, Exprs: exprs, Cols: cols}
	}
	return &portalProgram{snap: snap, bound: bound, types: ts, generators: e.rt}, nil
}

// run executes the body once in txn with args as its parameters.
func (prog *portalProgram) run(ctx context.Context, caller *expr.Ctx, txn *storage.Txn, args []types.Datum) (*batch.Batch, error) {
	plan, err := prog.takePlan()
	if err != nil {
		return nil, err
	}
	ev := &expr.Ctx{Params: args, Subplans: plan.Subplans}
	if caller != nil {
		ev.Env, ev.Session, ev.Catalog = caller.Env, caller.Session, caller.Catalog
	}
	ectx := exec.NewContext(ctx, ev, txn)
	ectx.Generators = prog.generators
	plan.Subplans.Bind(ectx)
	if err := plan.Root.Open(ectx); err != nil {
		plan.Root.Close()
		return nil, err
	}
	var out []*batch.Batch
	for {
		b, err := plan.Root.Next(ectx)
		if err != nil {
			plan.Root.Close()
			return nil, err
		}
		if b == nil {
			break
		}
		out = append(out, b)
	}
	if err := plan.Root.Close(); err != nil {
		return nil, err
	}
	prog.givePlan(plan)
	return batch.Concat(prog.types, out), nil
}

// lookupPortal resolves a portal name through the search path.
func (v *catalogView) lookupPortal(schema, name string) (*catalog.Portal, bool) {
	if schema != "" {
		sc, ok := v.snap.Schema(schema)
		if !ok {
			return nil, false
		}
		return v.snap.Portal(sc.OID, name)
	}
	for _, s := range v.searchPath {
		if sc, ok := v.snap.Schema(s); ok {
			if p, ok := v.snap.Portal(sc.OID, name); ok {
				return p, true
			}
		}
	}
	return nil, false
}

// SetReturningFunction implements binder.Catalog: portals are the
// functions in FROM that are not built in.
func (v *catalogView) SetReturningFunction(name string, argTypes []types.T) (*binder.SRF, bool, error) {
	p, ok := v.lookupPortal("", name)
	if !ok {
		return nil, false, nil
	}
	if len(argTypes) != len(p.Args) {
		var want []string
		for _, a := range p.Args {
			want = append(want, a.Name+" "+a.Type.String())
		}
		return nil, false, pgerror.Newf(pgerror.UndefinedFunction, "portal %s takes %d arguments, not %d", p.Name, len(p.Args), len(argTypes)).
			WithHint(fmt.Sprintf("Call it as %s(%s).", p.Name, strings.Join(want, ", ")))
	}
	srf := &binder.SRF{Name: p.Name, Impl: &portalFunction{e: v.e, p: p, snap: v.snap}}
	for _, a := range p.Args {
		srf.ArgTypes = append(srf.ArgTypes, a.Type)
	}
	for _, c := range p.Returns {
		srf.Columns = append(srf.Columns, logical.TableColumn{Name: c.Name, Type: c.Type})
	}
	return srf, true, nil
}

// portalsCalled lists the portals a bound plan calls, in plan order.
func portalsCalled(n logical.Node) []*catalog.Portal {
	var out []*catalog.Portal
	seen := map[uint32]bool{}
	logical.Walk(n, func(n logical.Node) bool {
		if fs, ok := n.(*logical.FunctionScan); ok {
			if pf, ok := fs.Impl.(*portalFunction); ok && !seen[pf.p.OID] {
				seen[pf.p.OID] = true
				out = append(out, pf.p)
			}
		}
		return true
	})
	return out
}

// portalWorkflows adds to add the workflows a call of p reads: its server
// when that is a workflow, the workflows its body reads, and those of the
// portals it calls.
func portalWorkflows(snap *catalog.Snapshot, p *catalog.Portal, add func(oid uint32), seen map[uint32]bool) {
	if seen[p.OID] {
		return
	}
	seen[p.OID] = true
	add(p.Server)
	for _, dep := range p.DependsOn {
		add(dep)
	}
	for _, c := range p.Calls {
		if q, ok := snap.PortalByOID(c); ok {
			portalWorkflows(snap, q, add, seen)
		}
	}
}

// dmlTarget returns the table a DML plan changes.
func dmlTarget(n logical.Node) (uint32, bool) {
	switch x := n.(type) {
	case *logical.Insert:
		return x.Table.OID, true
	case *logical.Update:
		return x.Table.OID, true
	case *logical.Delete:
		return x.Table.OID, true
	}
	return 0, false
}

func (d *ddl) createPortal(st *parser.CreatePortalStmt) error {
	sc, err := d.view.creationSchema(st.Name.Schema)
	if err != nil {
		return err
	}
	old, exists := d.snap().Portal(sc.OID, st.Name.Name)
	if exists && !st.OrReplace {
		return pgerror.Newf(pgerror.DuplicateFunction, "portal %q already exists", st.Name.Name).
			WithHint("Use CREATE OR REPLACE PORTAL to change it, or DROP PORTAL first.")
	}
	server, _, err := d.view.lookupTable(st.Server.Schema, st.Server.Name)
	if err != nil {
		return err
	}
	if server.Kind != catalog.KindTable && server.Kind != catalog.KindWorkflow {
		return pgerror.Newf(pgerror.WrongObjectType, "%q is a %s; a portal is served by a table or a workflow", server.Name, server.Kind)
	}
	p := &catalog.Portal{Schema: sc.OID, Name: st.Name.Name, Owner: catalog.PostgresRoleOID, Server: server.OID,
		Body: st.BodyText, SearchPath: splitSearchPath(d.s.get("search_path"))}
	if p.Args, err = portalColumns(st.Args, "parameter"); err != nil {
		return err
	}
	if p.Returns, err = portalColumns(st.Returns, "column"); err != nil {
		return err
	}
	prog, err := d.s.e.bindPortal(d.snap(), p)
	if err != nil {
		return err
	}
	switch prog.bound.Kind {
	case "SELECT":
	case "INSERT", "UPDATE", "DELETE":
		plan := prog.bound.Plan
		if pr, ok := plan.(*logical.Project); ok {
			plan = pr.Input
		}
		target, _ := dmlTarget(plan)
		if server.Kind != catalog.KindTable {
			return pgerror.Newf(pgerror.WrongObjectType, "portal %q is served by the workflow %q, so its body can only read", p.Name, server.Name).
				WithHint("Only a portal served by a table may change it.")
		}
		if target != server.OID {
			t, _ := d.snap().TableByOID(target)
			name := "another table"
			if t != nil {
				name = fmt.Sprintf("%q", t.Name)
			}
			return pgerror.Newf(pgerror.WrongObjectType, "the body of portal %q changes %s; a portal may change only the table that serves it, %q", p.Name, name, server.Name)
		}
		p.Writes = true
	default:
		return pgerror.Newf(pgerror.InvalidFunctionDefinition, "a portal's body is a SELECT, or an INSERT, UPDATE or DELETE with RETURNING")
	}
	if exists {
		p.OID = old.OID
		if !sameColumnTypes(old.Args, p.Args) || !sameColumnTypes(old.Returns, p.Returns) {
			return pgerror.Newf(pgerror.InvalidFunctionDefinition, "cannot change the arguments or result columns of portal %q", p.Name).
				WithHint("Use DROP PORTAL first.")
		}
	} else if p.OID, err = d.newOID(); err != nil {
		return err
	}
	for _, c := range portalsCalled(prog.bound.Plan) {
		p.Calls = append(p.Calls, c.OID)
	}
	if cycle := d.portalCycle(p); cycle != nil {
		return pgerror.Newf(pgerror.InvalidObjectDefinition, "portal %q would call itself: %s", p.Name, strings.Join(cycle, " -> ")).
			WithHint("Portal calls must not form a cycle.")
	}
	p.DependsOn = d.referencedRelations(st.Body, map[string]bool{})
	snap, err := d.snap().PutPortal(d.store(), p)
	if err != nil {
		return err
	}
	d.install(snap)
	return nil
}

// portalCycle returns the call path from p back to p, or nil.
func (d *ddl) portalCycle(p *catalog.Portal) []string {
	var path []string
	visiting := map[uint32]bool{}
	var visit func(oid uint32) bool
	visit = func(oid uint32) bool {
		if oid == p.OID {
			path = append(path, p.Name)
			return true
		}
		if visiting[oid] {
			return false
		}
		visiting[oid] = true
		q, ok := d.snap().PortalByOID(oid)
		if !ok {
			return false
		}
		for _, c := range q.Calls {
			if visit(c) {
				path = append(path, q.Name)
				return true
			}
		}
		return false
	}
	for _, c := range p.Calls {
		if visit(c) {
			path = append(path, p.Name)
			for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
				path[i], path[j] = path[j], path[i]
			}
			return path
		}
	}
	return nil
}

func sameColumnTypes(a, b []catalog.Column) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Type.Same(b[i].Type) {
			return false
		}
	}
	return true
}

// portalColumns turns name-type pairs into columns.
func portalColumns(defs []*pg.ColumnDef, what string) ([]catalog.Column, error) {
	var out []catalog.Column
	seen := map[string]bool{}
	for i, cd := range defs {
		if seen[cd.Colname] {
			return nil, pgerror.Newf(pgerror.InvalidFunctionDefinition, "%s name %q used more than once", what, cd.Colname)
		}
		seen[cd.Colname] = true
		t, err := binder.TypeFromName(cd.TypeName)
		if err != nil {
			return nil, err
		}
		if t.Kind == types.Unknown || t.Kind == types.Void || t.Kind == types.Record {
			return nil, pgerror.Newf(pgerror.InvalidFunctionDefinition, "%s %q has pseudo-type %s", what, cd.Colname, t)
		}
		out = append(out, catalog.Column{ID: uint32(i + 1), Name: cd.Colname, Type: t})
	}
	return out, nil
}

func (d *ddl) dropPortals(st *parser.DropObjects) error {
	for _, n := range st.Names {
		p, ok := d.view.lookupPortal(n.Schema, n.Name)
		if !ok {
			if st.IfExists {
				d.s.notice(fmt.Sprintf("portal %s does not exist, skipping", n.Name))
				continue
			}
			return pgerror.Newf(pgerror.UndefinedFunction, "portal %s does not exist", n.Name)
		}
		if err := d.dropPortal(p, st.Cascade); err != nil {
			return err
		}
	}
	return nil
}

// portalDependents returns the workflows that ask portal oid and the
// portals that call it.
func (d *ddl) portalDependents(oid uint32) ([]*catalog.Table, []*catalog.Portal) {
	var wfs []*catalog.Table
	for _, t := range d.snap().Tables() {
		for _, c := range t.CallsPortals {
			if c == oid {
				wfs = append(wfs, t)
				break
			}
		}
	}
	var ps []*catalog.Portal
	for _, q := range d.snap().Portals() {
		for _, c := range q.Calls {
			if c == oid && q.OID != oid {
				ps = append(ps, q)
				break
			}
		}
	}
	return wfs, ps
}

func (d *ddl) dropPortal(p *catalog.Portal, cascade bool) error {
	wfs, ps := d.portalDependents(p.OID)
	if (len(wfs) > 0 || len(ps) > 0) && !cascade {
		var detail []string
		for _, w := range wfs {
			detail = append(detail, fmt.Sprintf("workflow %s asks portal %s", w.Name, p.Name))
		}
		for _, q := range ps {
			detail = append(detail, fmt.Sprintf("portal %s calls portal %s", q.Name, p.Name))
		}
		return pgerror.Newf(pgerror.DependentObjectsStillExist, "cannot drop portal %s because other objects depend on it", p.Name).
			WithDetail(strings.Join(detail, "\n")).WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
	}
	for _, w := range wfs {
		if _, still := d.snap().TableByOID(w.OID); !still {
			continue
		}
		d.cascaded = append(d.cascaded, d.describe(w))
		if err := d.dropRelation(w, true); err != nil {
			return err
		}
	}
	for _, q := range ps {
		if _, still := d.snap().PortalByOID(q.OID); !still {
			continue
		}
		d.cascaded = append(d.cascaded, "portal "+q.Name)
		if err := d.dropPortal(q, true); err != nil {
			return err
		}
	}
	// The replies kept for asks live under the portal's OID.
	if err := storage.DropTableData(d.t.txn, &storage.TableSpec{ID: uint64(p.OID), Name: p.Name}); err != nil {
		return err
	}
	snap, err := d.snap().DropPortal(d.store(), p.OID)
	if err != nil {
		return err
	}
	d.install(snap)
	return nil
}

// portalsOf returns the portals that relation oid serves or that read it.
func (d *ddl) portalsOf(oid uint32) []*catalog.Portal {
	var out []*catalog.Portal
	for _, p := range d.snap().Portals() {
		if p.Server == oid {
			out = append(out, p)
			continue
		}
		for _, dep := range p.DependsOn {
			if dep == oid {
				out = append(out, p)
				break
			}
		}
	}
	return out
}
