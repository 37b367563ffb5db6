package expr

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"

	"portalsdb/pgerror"
	"portalsdb/types"
)

func registerLogic(r *Registry) {}

func registerMisc(r *Registry) {
	session := func(fn func(s SessionInfo) (types.Datum, error)) RowKernel {
		return func(c *Ctx, _ []types.Datum) (types.Datum, error) {
			if c.Session == nil {
				return nil, pgerror.Internalf("no session")
			}
			return fn(c.Session)
		}
	}
	for _, name := range []string{"current_user", "session_user", "user", "current_role"} {
		r.add(&Overload{Name: name, Ret: types.NameType, Stable: true, Row: session(func(s SessionInfo) (types.Datum, error) { return s.User(), nil })})
	}
	for _, name := range []string{"current_database", "current_catalog"} {
		r.add(&Overload{Name: name, Ret: types.NameType, Stable: true, Row: session(func(s SessionInfo) (types.Datum, error) { return s.Database(), nil })})
	}
	r.add(&Overload{Name: "current_schema", Ret: types.NameType, Stable: true, Row: session(func(s SessionInfo) (types.Datum, error) {
		if p := s.SearchPath(); len(p) > 0 {
			return p[0], nil
		}
		return nil, nil
	})})
	r.add(&Overload{Name: "current_setting", Args: []types.T{text}, Ret: text, Stable: true, Row: func(c *Ctx, a []types.Datum) (types.Datum, error) {
		if c.Session == nil {
			return nil, pgerror.Internalf("no session")
		}
		v, ok := c.Session.Setting(a[0].(string))
		if !ok {
			return nil, pgerror.Newf(pgerror.UndefinedObject, "unrecognized configuration parameter %q", a[0].(string))
		}
		return v, nil
	}})
	// set_config(name, value, is_local): SET as a function, which pg_dump
	// scripts call. is_local is taken as SET LOCAL is: for the session.
	r.add(&Overload{Name: "set_config", Args: []types.T{text, text, types.BoolType}, Ret: text, Volatile: true, Row: func(c *Ctx, a []types.Datum) (types.Datum, error) {
		if c.Session == nil {
			return nil, pgerror.Internalf("no session")
		}
		if a[0] == nil {
			return nil, pgerror.New(pgerror.NullValueNotAllowed, "SET requires parameter name")
		}
		v := ""
		if a[1] != nil {
			v = a[1].(string)
		}
		return c.Session.SetSetting(a[0].(string), v)
	}})
	r.add(&Overload{Name: "md5", Args: []types.T{text}, Ret: text, Row: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		sum := md5.Sum([]byte(a[0].(string)))
		return hex.EncodeToString(sum[:]), nil
	}})
	r.add(&Overload{Name: "gen_random_uuid", Ret: types.UUIDType, Volatile: true, Row: func(*Ctx, []types.Datum) (types.Datum, error) {
		var u types.UUIDValue
		_, _ = rand.Read(u[:])
		u[6] = u[6]&0x0f | 0x40
		u[8] = u[8]&0x3f | 0x80
		return u, nil
	}})
}
