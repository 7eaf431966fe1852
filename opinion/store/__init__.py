"""The workspace store: schema and migrations, documents and their versions, survey
respondents and imports, crawl runs, caches, and the keyed pseudonyms that keep names
out of it (``db``, ``privacy``)."""
