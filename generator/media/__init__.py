"""Pictures and documents from ``content/media/``: found and checked (library.py), and
pictures made small for phones (pictures.py, the only module that uses Pillow)."""
