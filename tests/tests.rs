// Integration tests: index.
