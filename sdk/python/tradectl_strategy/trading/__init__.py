"""Generated from proto/trading: see scripts/genpython.sh."""
