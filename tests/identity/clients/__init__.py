"""The official Vlens client SDKs as the server sees them (vlens-clients.md): what each sends and
what each needs from the answers, written down as small test doubles."""
