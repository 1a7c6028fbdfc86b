"""Operations that change CRM state. Each is atomic and records the acting user."""
