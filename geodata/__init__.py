"""Administrative boundaries: gazetteer, readers, validation, hierarchy, display layers.

Imports nothing else of ours (no ``zones``, ``rules`` or ``ui``) and never ``streamlit``.
"""
