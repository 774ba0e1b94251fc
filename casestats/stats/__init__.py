"""The statistics layer: count tables in, results out.

Nothing here knows about calcinosis: the modules take counts, proportions and
tables and return result objects, and are tested against R on any table.
``tests/test_layers.py`` fails if a module here imports the domain layer.
"""
