"""Operations: metrics, health and readiness."""
