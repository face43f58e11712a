"""Default sizes of the demo data whose generators load Dagster (through the taxonomy and the
VisioNature keys): the command line shows them in its help, which should not wait seconds
for Dagster."""

# Length in degrees of the segments region outlines are cut into before they are detailed:
# 0.002 gives the province about 40 000 vertices and a municipality about 1 300, like the
# real boundaries; the tests use coarser outlines (fewer vertices, same shapes) to stay fast.
DETAIL_SPACING = 0.002
VN_SIGHTINGS = 20_000
