"""`ovc check`: policy and baseline."""
