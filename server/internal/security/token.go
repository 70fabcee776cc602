package security

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/tradectl/tradectl/server/internal/ownership"
)

// Token is the bearer token control RPCs must present. Only its digest is
// kept, and comparison is in constant time over equal-length digests, so
// neither timing nor length tells an attacker anything.
type Token struct {
	digest [sha256.Size]byte
}

// NewToken is tok as a Token, for a token that is not in a file (tests,
// an embedding program); the daemon's comes from LoadOrCreateToken.
func NewToken(tok string) Token { return Token{digest: digest(tok)} }

// Matches reports whether presented is the token.
func (t Token) Matches(presented string) bool {
	d := sha256.Sum256([]byte(presented))
	return subtle.ConstantTimeCompare(d[:], t.digest[:]) == 1
}

// LoadOrCreateToken reads the token at path, creating the file with a fresh
// random token (mode 0600, directory 0700) if it does not exist. The file is
// written to a temporary name and linked into place, so a crash never leaves
// a half-written token, and a concurrent creator's token is never
// overwritten. It refuses a token, or a directory holding it, that another
// user could have written (see loadToken).
func LoadOrCreateToken(path string) (Token, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Token{}, fmt.Errorf("creating token directory: %w", err)
	}
	tok, err := loadToken(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return tok, err
	}
	raw, tmp, err := writeTempToken(dir)
	if err != nil {
		return Token{}, err
	}
	defer os.Remove(tmp) // the link below keeps the file under its real name
	// Link, not rename: it fails if something appeared at path meanwhile
	// (another daemon's token), and then that is read once, used or
	// refused, never retried: retrying is how a dangling symlink once
	// made start-up loop, leaving a temporary file per turn.
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return loadToken(path)
		}
		return Token{}, fmt.Errorf("writing token file: %w", err)
	}
	return Token{digest: digest(raw)}, nil
}

// maxTokenFile bounds what is read of a token file: a token is a line.
const maxTokenFile = 4096

// loadToken reads the token at path, refusing it unless path and its
// directory are the daemon's own (ownership.Dir, ownership.File): with a
// directory others may write, or a file another user owns, someone else
// chooses the token, and a symlink could lead anywhere. A missing file
// yields an error wrapping fs.ErrNotExist; a symlink, even a dangling one,
// is a refusal, not a missing file.
func loadToken(path string) (Token, error) {
	if err := ownership.Dir(filepath.Dir(path)); err != nil {
		return Token{}, fmt.Errorf("token directory: %w", err)
	}
	b, err := ownership.ReadFile(path, maxTokenFile)
	if err != nil {
		if errors.Is(err, ownership.ErrNotOwn) {
			return Token{}, fmt.Errorf("token file: %w", err)
		}
		return Token{}, fmt.Errorf("reading token file: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if len(tok) < 16 {
		return Token{}, fmt.Errorf("token file %s holds a token shorter than 16 characters", path)
	}
	return Token{digest: digest(tok)}, nil
}

func digest(tok string) [sha256.Size]byte { return sha256.Sum256([]byte(tok)) }

// RotateToken replaces the token at path with a fresh random one, by a
// rename so that a reader (the running daemon, a tradectl) sees the old
// file or the new one, never half of one. A running tradingd notices the
// new file at its next poll, or at once on SIGHUP, and from then on only
// the new token works.
//
// It refuses to write where the daemon would refuse to read: a directory
// others may write, or a token file that is not this user's (run it as the
// daemon's user, or the new file would be another user's).
func RotateToken(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("creating token directory: %w", err)
	}
	// Run as another user than the daemon's, the usual cause, the fix is
	// to run it as the daemon's user, not to chown.
	const asDaemon = " (run 'tradingd token rotate' as the user tradingd runs as)"
	if err := ownership.Dir(filepath.Dir(path)); err != nil {
		return fmt.Errorf("token directory: %w%s", err, asDaemon)
	}
	if err := ownership.File(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("token file: %w%s", err, asDaemon)
	}
	_, tmp, err := writeTempToken(filepath.Dir(path))
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("replacing token file: %w", err)
	}
	// The rename is durable only once the directory is synced.
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// writeTempToken writes a fresh random token to a temporary file of mode
// 0600 in dir, synced, and returns the token and the file's name.
func writeTempToken(dir string) (tok, name string, err error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", "", err
	}
	tok = base64.RawURLEncoding.EncodeToString(raw[:])
	tmp, err := os.CreateTemp(dir, ".token-*")
	if err != nil {
		return "", "", fmt.Errorf("writing token file: %w", err)
	}
	fail := func(err error) (string, string, error) {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", "", fmt.Errorf("writing token file: %w", err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		return fail(err)
	}
	if _, err := tmp.WriteString(tok + "\n"); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return "", "", fmt.Errorf("writing token file: %w", err)
	}
	return tok, tmp.Name(), nil
}
