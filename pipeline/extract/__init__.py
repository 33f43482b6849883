"""Extract: source folders and git sources -> raw pages (path, SHA-256, parsed front matter).

No validation here; a page that cannot be read becomes a PageIssue naming the file."""
