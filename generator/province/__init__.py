"""A province: many commune sites from one repository, with notices they share.

``bangtin.yml`` at the root names each site's content folder, the shared folder
(province-wide notices and their media) and, optionally, a theme and the hub (the
province's page listing every site).  Each site is built as it would be on its own,
into ``output/<id>/``, with its own update-build records, in parallel over the cores;
the hub goes to ``output/`` (``generator.province.build``).
"""
