package load

import "os"

func writeToken(path, tok string) error { return os.WriteFile(path, []byte(tok+"\n"), 0o600) }
