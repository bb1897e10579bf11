"""A synthetic municipality for neighbourhood tests: a grid of square neighbourhoods near
Luxembourg City, as a GeoJSON FeatureCollection, plus points inside each cell.

Cell (row, col) is named "R<row>C<col>" with code "r<row>c<col>". Cells sharing an edge are
adjacent; diagonal cells meet at a single corner and are not."""

ORIGIN = (6.10, 49.60)  # lon, lat
CELL_LON = 0.00693  # ~500 m at this latitude
CELL_LAT = 0.004522  # ~500 m


def cell_ring(row, col, inset=0.0):
    lon0 = ORIGIN[0] + col * CELL_LON + inset
    lat0 = ORIGIN[1] + row * CELL_LAT + inset
    lon1 = ORIGIN[0] + (col + 1) * CELL_LON - inset
    lat1 = ORIGIN[1] + (row + 1) * CELL_LAT - inset
    return [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]


def code(row, col):
    return "r%dc%d" % (row, col)


def feature(row, col, name=None, with_code=True, ring=None):
    properties = {"name": name or "R%dC%d" % (row, col)}
    if with_code:
        properties["code"] = code(row, col)
    return {"type": "Feature", "properties": properties,
            "geometry": {"type": "Polygon", "coordinates": [ring or cell_ring(row, col)]}}


def grid(rows=3, cols=3, **options):
    return {"type": "FeatureCollection",
            "features": [feature(r, c, **options) for r in range(rows) for c in range(cols)]}


def point_in(row, col, fraction=(0.5, 0.5)):
    return [ORIGIN[0] + (col + fraction[0]) * CELL_LON,
            ORIGIN[1] + (row + fraction[1]) * CELL_LAT]
