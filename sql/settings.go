package sql

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"portalsdb/pgerror"
	"portalsdb/types"
)

// setting describes one configuration parameter.
type setting struct {
	def string
	// reported parameters are sent to the client when they change.
	reported bool
	// check validates and normalizes a new value.
	check func(s *Session, v string) (string, error)
	desc  string
}

func fixed(want ...string) func(*Session, string) (string, error) {
	return func(_ *Session, v string) (string, error) {
		for _, w := range want {
			if strings.EqualFold(v, w) {
				return want[0], nil
			}
		}
		return "", pgerror.Newf(pgerror.InvalidParameterValue, "invalid value %q; portalsdb supports only %s", v, want[0])
	}
}

func anyValue(_ *Session, v string) (string, error) { return v, nil }

// checkBool reads a boolean parameter as PostgreSQL spells them, and shows
// it as on or off.
func checkBool(_ *Session, v string) (string, error) {
	b, err := types.ParseBool(v)
	if err != nil {
		return "", pgerror.Newf(pgerror.InvalidParameterValue, "parameter requires a Boolean value")
	}
	if b.(bool) {
		return "on", nil
	}
	return "off", nil
}

// settings lists the parameters sessions know.
var settings = map[string]setting{
	"application_name":                    {def: "", reported: true, check: anyValue, desc: "Sets the application name to be reported in statistics and logs."},
	"client_encoding":                     {def: "UTF8", reported: true, check: fixed("UTF8", "UTF-8", "unicode"), desc: "Sets the client's character set encoding."},
	"server_encoding":                     {def: "UTF8", reported: true, desc: "Shows the server (database) character set encoding."},
	"datestyle":                           {def: "ISO, MDY", reported: true, check: checkDateStyle, desc: "Sets the display format for date and time values."},
	"timezone":                            {def: "UTC", reported: true, check: checkTimeZone, desc: "Sets the time zone for displaying and interpreting time stamps."},
	"intervalstyle":                       {def: "postgres", reported: true, check: fixed("postgres"), desc: "Sets the display format for interval values."},
	"standard_conforming_strings":         {def: "on", reported: true, check: fixed("on"), desc: "Causes '...' strings to treat backslashes literally."},
	"integer_datetimes":                   {def: "on", reported: true, desc: "Shows whether datetimes are integer based."},
	"server_version":                      {def: ServerVersion, reported: true, desc: "Shows the server version."},
	"server_version_num":                  {def: ServerVersionNum, desc: "Shows the server version as an integer."},
	"is_superuser":                        {def: "on", reported: true, desc: "Shows whether the current user is a superuser."},
	"session_authorization":               {def: "", reported: true, desc: "Sets the session user name."},
	"search_path":                         {def: `"$user", public`, check: anyValue, desc: "Sets the schema search order for names that are not schema-qualified."},
	"statement_timeout":                   {def: "0", check: checkDuration, desc: "Sets the maximum allowed duration of any statement."},
	"lock_timeout":                        {def: "0", check: checkDuration, desc: "Sets the maximum allowed duration of any wait for a lock."},
	"idle_in_transaction_session_timeout": {def: "0", check: checkDuration, desc: "Sets the maximum allowed idle time between queries, when in a transaction."},
	"extra_float_digits":                  {def: "1", check: anyValue, desc: "Sets the number of digits displayed for floating-point values."},
	"client_min_messages":                 {def: "notice", check: anyValue, desc: "Sets the message levels that are sent to the client."},
	"transaction_isolation":               {def: "repeatable read", check: checkIsolation, desc: "Sets the current transaction's isolation level."},
	"default_transaction_isolation":       {def: "repeatable read", check: checkIsolation, desc: "Sets the transaction isolation level of each new transaction."},
	"default_transaction_read_only":       {def: "off", check: fixed("off", "false"), desc: "Sets the default read-only status of new transactions."},
	"transaction_read_only":               {def: "off", check: fixed("off", "false"), desc: "Sets the current transaction's read-only status."},
	"bytea_output":                        {def: "hex", check: fixed("hex"), desc: "Sets the output format for bytea."},
	"max_identifier_length":               {def: "63", desc: "Shows the maximum identifier length."},
	"max_connections":                     {def: "100", desc: "Sets the maximum number of concurrent connections."},
	"block_size":                          {def: "8192", desc: "Shows the size of a disk block."},
	"lc_collate":                          {def: "C", desc: "Shows the collation order locale."},
	"lc_ctype":                            {def: "C", desc: "Shows the character classification and case conversion locale."},
	"lc_messages":                         {def: "C", check: anyValue, desc: "Sets the language in which messages are displayed."},
	"lc_monetary":                         {def: "C", check: anyValue, desc: "Sets the locale for formatting monetary amounts."},
	"lc_numeric":                          {def: "C", check: anyValue, desc: "Sets the locale for formatting numbers."},
	"lc_time":                             {def: "C", check: anyValue, desc: "Sets the locale for formatting date and time values."},
	"synchronous_commit":                  {def: "on", check: fixed("on", "off", "local", "remote_write", "remote_apply"), desc: "Sets the current transaction's synchronization level."},
	"row_security":                        {def: "on", check: anyValue, desc: "Enable row security."},
	"jit":                                 {def: "off", check: anyValue, desc: "Allow JIT compilation."},
	"work_mem":                            {def: "4MB", check: anyValue, desc: "Sets the maximum memory to be used for query workspaces."},
	"enable_seqscan":                      {def: "on", check: anyValue, desc: "Enables the planner's use of sequential-scan plans."},
	// pg_dump's scripts set these before anything else.
	"check_function_bodies":       {def: "on", check: checkBool, desc: "Check routine bodies during CREATE FUNCTION and CREATE PROCEDURE."},
	"xmloption":                   {def: "content", check: fixed("content", "document"), desc: "Sets whether XML data in implicit parsing and serialization operations is to be considered as documents or content fragments."},
	"default_tablespace":          {def: "", check: fixed(""), desc: "Sets the default tablespace to create tables and indexes in."},
	"default_table_access_method": {def: "heap", check: fixed("heap"), desc: "Sets the default table access method for new tables."},
	"portals.read_consistency":    {def: "read_your_writes", check: fixed("read_your_writes", "latest"), desc: "Whether reads of workflows wait for the session's own writes."},
}

// PostgreSQL version that portalsdb reports, so that clients pick the
// catalog queries of a modern server.
const (
	ServerVersion    = "16.4 (portalsdb)"
	ServerVersionNum = "160004"
)

func checkDateStyle(_ *Session, v string) (string, error) {
	u := strings.ToUpper(strings.ReplaceAll(v, " ", ""))
	switch u {
	case "ISO", "ISO,MDY", "MDY,ISO", "ISO,US":
		return "ISO, MDY", nil
	}
	return "", pgerror.Newf(pgerror.InvalidParameterValue, "invalid value for parameter \"DateStyle\": %q", v).
		WithDetail("portalsdb supports only DateStyle ISO, MDY.")
}

func checkTimeZone(s *Session, v string) (string, error) {
	if strings.EqualFold(v, "local") || strings.EqualFold(v, "default") {
		v = "UTC"
	}
	loc, err := types.LoadZone(v)
	if err != nil {
		return "", pgerror.Newf(pgerror.InvalidParameterValue, "invalid value for parameter \"TimeZone\": %q", v)
	}
	if s != nil {
		s.loc = loc
	}
	if loc == time.UTC {
		return "UTC", nil
	}
	return v, nil
}

func checkIsolation(_ *Session, v string) (string, error) {
	switch strings.ToLower(v) {
	case "read committed", "repeatable read", "serializable", "read uncommitted":
		// Every transaction runs under snapshot isolation; weaker levels get
		// it too, and serializable is accepted with snapshot semantics.
		return strings.ToLower(v), nil
	}
	return "", pgerror.Newf(pgerror.InvalidParameterValue, "invalid value for parameter \"transaction_isolation\": %q", v)
}

// parseDuration reads PostgreSQL duration settings: a number of
// milliseconds, or a number with a unit.
func parseDuration(v string) (time.Duration, error) {
	v = strings.TrimSpace(strings.ToLower(v))
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Duration(ms) * time.Millisecond, nil
	}
	for _, u := range []struct {
		suffix string
		d      time.Duration
	}{{"ms", time.Millisecond}, {"us", time.Microsecond}, {"min", time.Minute}, {"s", time.Second}, {"h", time.Hour}, {"d", 24 * time.Hour}} {
		if strings.HasSuffix(v, u.suffix) {
			n, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(v, u.suffix)), 64)
			if err == nil {
				return time.Duration(n * float64(u.d)), nil
			}
		}
	}
	return 0, pgerror.Newf(pgerror.InvalidParameterValue, "invalid value for duration: %q", v)
}

func checkDuration(_ *Session, v string) (string, error) {
	d, err := parseDuration(v)
	if err != nil {
		return "", err
	}
	if d == 0 {
		return "0", nil
	}
	return strconv.FormatInt(d.Milliseconds(), 10) + "ms", nil
}

// settingNames returns every parameter name, sorted.
func settingNames() []string {
	out := make([]string, 0, len(settings))
	for k := range settings {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// displayName is the spelling PostgreSQL reports a parameter under.
func displayName(name string) string {
	switch name {
	case "datestyle":
		return "DateStyle"
	case "timezone":
		return "TimeZone"
	case "intervalstyle":
		return "IntervalStyle"
	}
	return name
}
