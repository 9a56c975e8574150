"""Contract documents: templates rendered to HTML (render), PDF (pdf), PAdES signatures (signing)
and their validation (verify). No database and no HTTP here; import the submodule you need."""
