"""The docs site's generated pages, one module per kind of page (``python -m checker.docs_site`` runs them).

* ``structure``: where every generated page goes, what the nav lists, which repository path has a page, how a
  page links to another: the one place that knows the site's layout;
* ``generate``: puts each page where ``structure`` says and syncs them into ``docs/``;
* ``lessons``, ``exercises``, ``solutions``, ``cli_reference``, ``rule_reference``, ``format_examples``,
  ``substitutes``: the pages (and the snippets hand-written pages include), each from its source;
* ``markdown_helpers`` and ``links``: the markdown they share (headings, fences, admonitions) and the rewriting
  of links in markdown copied from the repository.
"""
