package expr

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"

	"portalsdb/types"
)

func registerLogic(r *Registry) {}

func registerMisc(r *Registry) {
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
