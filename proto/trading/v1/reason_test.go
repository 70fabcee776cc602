package tradingv1

import (
	"bufio"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/durationpb"
)

// wireBefore are the ErrorInfo reasons clients matched before the enum
// existed, by the number the enum gave them. Renaming a value renames its
// wire string; this list is what notices.
var wireBefore = map[ErrorReason]string{
	1: "INVALID_SETTINGS", 2: "INVALID_REQUEST", 3: "TRADING_ALREADY_RUNNING", 4: "TRADING_STOPPING",
	5: "LIVE_TRADING_UNAVAILABLE", 6: "NO_SESSION", 7: "NOTHING_TO_RESUME", 8: "SESSION_INTERRUPTED",
	9: "SESSION_NOT_INTERRUPTED", 10: "SESSION_NOT_FOUND", 11: "NO_STORE", 12: "STORE_FAILED", 13: "NOT_FOUND",
	14: "INVALID", 15: "BACKUP_PATH_UNUSABLE", 16: "BACKUP_IN_PROGRESS", 17: "BACKUP_LIMIT", 18: "BACKUP_NO_SPACE",
	19: "ALREADY_EXISTS", 20: "SEQUENCE_AHEAD", 21: "WATCHER_LAGGED", 22: "SHUTTING_DOWN", 23: "DEADLINE_EXCEEDED",
	24: "CANCELLED",
}

// AIP-193: UPPER_SNAKE_CASE, at most 63 characters.
var aipReason = regexp.MustCompile(`^[A-Z][A-Z0-9_]+[A-Z0-9]$`)

func allReasons() []ErrorReason {
	var rs []ErrorReason
	for n := range ErrorReason_name {
		if r := ErrorReason(n); r != ErrorReason_ERROR_REASON_UNSPECIFIED {
			rs = append(rs, r)
		}
	}
	return rs
}

func TestEveryReasonHasOneWireStringAndACode(t *testing.T) {
	seen := map[string]ErrorReason{}
	for _, r := range allReasons() {
		w := r.Wire()
		if !aipReason.MatchString(w) || len(w) > 63 {
			t.Errorf("%v: wire %q is not an AIP-193 reason", r, w)
		}
		if other, dup := seen[w]; dup {
			t.Errorf("%v and %v both send %q", r, other, w)
		}
		seen[w] = r
		if got := ParseErrorReason(w); got != r {
			t.Errorf("ParseErrorReason(%q) = %v, want %v", w, got, r)
		}
		if c, ok := reasonCodes[r]; !ok || c == codes.OK || c == codes.Unknown {
			t.Errorf("%v has no gRPC code in reasonCodes", r)
		}
	}
	for r := range reasonCodes {
		if _, named := ErrorReason_name[int32(r)]; !named || r == ErrorReason_ERROR_REASON_UNSPECIFIED {
			t.Errorf("reasonCodes has %v, which the enum does not name", r)
		}
	}
	for r, w := range wireBefore {
		if r.Wire() != w {
			t.Errorf("reason %d is sent as %q; clients match %q", r, r.Wire(), w)
		}
	}
	if w := ErrorReason_ERROR_REASON_UNSPECIFIED.Wire(); w != "" {
		t.Errorf("UNSPECIFIED is sent as %q", w)
	}
	for _, s := range []string{"", "UNSPECIFIED", "ERROR_REASON_NO_STORE", "no_store", "A_REASON_FROM_A_NEWER_DAEMON"} {
		if r := ParseErrorReason(s); r != ErrorReason_ERROR_REASON_UNSPECIFIED {
			t.Errorf("ParseErrorReason(%q) = %v, want UNSPECIFIED", s, r)
		}
	}
}

// The comment of each value in trading.proto names the code reasonCodes
// gives it: the documentation a client of another language reads is the
// table the daemon sends from.
func TestProtoCommentsNameTheCodes(t *testing.T) {
	f, err := os.Open("trading.proto")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	value := regexp.MustCompile(`^\s*(ERROR_REASON_[A-Z0-9_]+)\s*=\s*\d+;`)
	var comment []string
	documented := 0
	for sc := bufio.NewScanner(f); sc.Scan(); {
		line := strings.TrimSpace(sc.Text())
		if c, ok := strings.CutPrefix(line, "//"); ok {
			comment = append(comment, c)
			continue
		}
		if m := value.FindStringSubmatch(line); m != nil {
			r := ErrorReason(ErrorReason_value[m[1]])
			if r != ErrorReason_ERROR_REASON_UNSPECIFIED {
				documented++
				want := code.Code_name[int32(r.Code())]
				if len(comment) == 0 || !strings.HasPrefix(strings.TrimSpace(comment[0]), want+".") {
					t.Errorf("%s: its comment must begin with its code, %s.", m[1], want)
				}
			}
		}
		comment = nil
	}
	if documented != len(allReasons()) {
		t.Errorf("found %d documented values in trading.proto, the enum has %d", documented, len(allReasons()))
	}
}

func TestStatusCarriesTheReason(t *testing.T) {
	for _, r := range allReasons() {
		retry := &errdetails.RetryInfo{RetryDelay: durationpb.New(1)}
		st := r.Status("words", map[string]string{"session_id": "abc"}, retry)
		if st.Code() != r.Code() || st.Message() != "words" {
			t.Errorf("%v: status %v", r, st)
		}
		got, info := ReasonOf(st)
		if got != r || info.GetReason() != r.Wire() || info.GetDomain() != ErrorDomain || info.GetMetadata()["session_id"] != "abc" {
			t.Errorf("%v: ReasonOf = %v, %v", r, got, info)
		}
		if d := st.Details(); len(d) != 2 {
			t.Errorf("%v: details %v, want the ErrorInfo and the RetryInfo", r, d)
		}
	}
	st := ErrorReason_ERROR_REASON_UNSPECIFIED.Status("plain", nil)
	if r, info := ReasonOf(st); r != ErrorReason_ERROR_REASON_UNSPECIFIED || info != nil || len(st.Details()) != 0 {
		t.Errorf("UNSPECIFIED: %v, %v, details %v", r, info, st.Details())
	}
	// Another domain's ErrorInfo is not ours, whatever its reason says.
	other, _ := ErrorReason_ERROR_REASON_NO_STORE.Status("x", nil).WithDetails(
		protoadapt.MessageV1Of(&errdetails.ErrorInfo{Reason: "NO_STORE", Domain: "example.com"}))
	if r, info := ReasonOf(other); r != ErrorReason_ERROR_REASON_NO_STORE || info.GetDomain() != ErrorDomain {
		t.Errorf("a foreign ErrorInfo after ours: %v, %v", r, info)
	}
}

// Every ErrorInfo the daemon or the client builds is built here, by
// ErrorReason.Status: a reason spelled anywhere else would be one the enum
// may not have, the drift this file exists to end. Tests may fake answers.
func TestNoErrorInfoBuiltElsewhere(t *testing.T) {
	root := filepath.Join("..", "..", "..")
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found from %s: %v", root, err)
	}
	self, err := filepath.Abs("reason.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	scanned := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != root && (strings.HasPrefix(n, ".") || n == "testdata" || n == "vendor" || n == "bin") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || strings.HasSuffix(path, ".pb.go") {
			return nil
		}
		if abs, err := filepath.Abs(path); err != nil || abs == self {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		scanned++
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			if sel, ok := lit.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "ErrorInfo" {
				t.Errorf("%s: builds an ErrorInfo; use tradingv1.ErrorReason.Status", fset.Position(lit.Pos()))
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if scanned < 50 {
		t.Fatalf("scanned %d Go files from %s; the walk missed the repository", scanned, root)
	}
}
