"""The knowledge as seed files, their validation and their loader."""
