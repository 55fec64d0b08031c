"""The four services of Nghe Dân; each imports `shared` and never another service."""
