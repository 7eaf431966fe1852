"""Reading what users hand the tool: plain UTF-8 and YAML files, table files of any
encoding, delimiter or spreadsheet format, and the data files shipped with the package.

Every failure is an :class:`~opinion.errors.InputError` naming the file (and line,
column or sheet), never a traceback.
"""
