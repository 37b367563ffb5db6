package pgerror

import (
	"errors"
	"fmt"
	"testing"
)

func TestCodeWalksWrapChain(t *testing.T) {
	base := Newf(UndefinedTable, "relation %q does not exist", "t")
	wrapped := fmt.Errorf("planning: %w", base)
	if got := CodeOf(wrapped); got != UndefinedTable {
		t.Fatalf("CodeOf(wrapped) = %s, want %s", got, UndefinedTable)
	}
	if got := CodeOf(errors.New("plain")); got != Internal {
		t.Fatalf("CodeOf(plain) = %s, want XX000", got)
	}
	if got := CodeOf(nil); got != SuccessfulCompletion {
		t.Fatalf("CodeOf(nil) = %s", got)
	}
	f := Flatten(wrapped)
	if f.Code != UndefinedTable || f.Message != `planning: relation "t" does not exist` {
		t.Fatalf("Flatten = %+v", f)
	}
}

func TestWithersCopy(t *testing.T) {
	e := New(Syntax, "syntax error")
	p := e.WithPosition(7).WithHint("h")
	if e.Position != 0 || e.Hint != "" {
		t.Fatal("WithPosition mutated the receiver")
	}
	if p.Position != 7 || p.Hint != "h" || p.Code != Syntax {
		t.Fatalf("got %+v", p)
	}
}
