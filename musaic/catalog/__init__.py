"""The music catalog: importers, search backends, and title/artist normalisation."""
