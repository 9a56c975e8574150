"""E-contracting: request types, business requests, contract documents and their signatures."""
