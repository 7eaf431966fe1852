"""Door-to-door survey files: the codebook, validation with rejects written out, and the
import into the store (``importer``). Table files themselves are read by
:mod:`opinion.files.tables`."""
