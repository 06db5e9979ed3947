"""Public full-text search, in layers that depend one way (top to bottom):

- ``document_search``: the search page's documents (``search_documents``, facets, the
  export's ``result_ids``) and the admin's search; ``case_search``: cases found by their own
  title; ``snippets``: the passages shown for one page of hits; ``suggest``: spelling
  suggestions for a search that found nothing;
- ``candidates``: the candidate set every list, count and facet reads (the newest
  document_search.EXACT_LIMIT + 1 public matches) and the statistics that pick its plan; ``estimates``: the
  size of a result beyond what is counted;
- ``statements``: the SQL the candidates are read with (match conditions, filters, the walk
  and the GIN plans), built as text and parameters, never executed there;
- ``criteria``: what a search asks (filters, sort) and a dnr-shaped query as a filter;
- ``language``: Swedish text rules (normalisation, OCR folding, compounds, query parsing,
  tsquery text) and the constants the layers above share. Pure Python, no Django.

A request parses the query once (``language.parse_query``), builds its tsqueries once
(``candidates.request_tsquery``: a ``language.TsQuery`` with the OCR spellings that occur,
``candidates.present_variants``) and passes that down to every statement.
"""
