# xref sources
