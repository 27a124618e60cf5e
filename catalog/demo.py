"""Demo catalog: realistic wholesale products with round prices."""

from decimal import Decimal

from .models import Product

PRODUCTS = [
    (
        "CHR-1001",
        "Ergonomic office chair",
        "Mesh back, adjustable lumbar support, 5-year warranty.",
        "350.00",
    ),
    (
        "CHR-1002",
        "Stacking visitor chair",
        "Polypropylene shell, chrome frame, stacks 10 high.",
        "45.00",
    ),
    (
        "DSK-2001",
        "Height-adjustable desk 160x80",
        "Electric, two motors, memory presets.",
        "620.00",
    ),
    ("DSK-2002", "Meeting table 240x120", "Oak veneer, cable tray.", "890.00"),
    (
        "LAP-3001",
        'Business laptop 14"',
        "16 GB RAM, 512 GB SSD, 3-year on-site service.",
        "1150.00",
    ),
    (
        "MON-3002",
        '27" QHD monitor',
        "USB-C with 65 W power delivery, height-adjustable stand.",
        "289.00",
    ),
    ("DOC-3003", "USB-C docking station", "Dual display, Gigabit Ethernet, 96 W.", "179.00"),
    ("KEY-3004", "Wireless keyboard and mouse set", "Quiet keys, 2.4 GHz receiver.", "39.90"),
    ("HDS-3005", "Noise-cancelling headset", "Certified for Teams and Zoom.", "129.00"),
    ("PRN-3006", "A4 laser printer, duplex", "40 pages per minute, network.", "410.00"),
    ("TON-3007", "Toner cartridge, black, high yield", "For PRN-3006, 15,000 pages.", "98.50"),
    ("PAP-4001", "Copy paper A4 80 g, box of 5 reams", "2,500 sheets, FSC certified.", "24.90"),
    ("PAP-4002", "Copy paper A3 80 g, ream", "500 sheets.", "11.20"),
    ("ENV-4003", "Envelopes C4, box of 250", "Self-seal, white.", "18.40"),
    ("FOL-4004", "Lever arch files, pack of 10", "80 mm spine, recycled board.", "27.00"),
    ("PEN-4005", "Ballpoint pens, box of 50", "Blue, medium tip.", "12.50"),
    ("NOT-4006", "Notebooks A5, pack of 10", "Ruled, 96 sheets.", "29.00"),
    ("WHB-4007", "Whiteboard 180x120", "Magnetic, enamelled steel, wall mount.", "215.00"),
    ("CLN-5001", "Hand soap refill 5 L", "Mild, unscented, EU Ecolabel.", "14.80"),
    ("CLN-5002", "Paper towels, case of 20 rolls", "Two-ply, 150 m per roll.", "42.00"),
    ("CLN-5003", "Microfibre cloths, pack of 50", "Colour-coded, washable 300 times.", "31.50"),
    ("CLN-5004", "Floor cleaner concentrate 10 L", "Low foam, for scrubber dryers.", "38.90"),
    ("SAF-6001", "Safety gloves, nitrile, box of 100", "Size L, powder free.", "9.95"),
    ("SAF-6002", "Hi-vis vest, pack of 10", "EN ISO 20471 class 2.", "35.00"),
    ("SAF-6003", "First aid kit, 50 persons", "DIN 13169, wall cabinet.", "79.00"),
    ("SAF-6004", "Safety goggles, pack of 12", "Anti-fog, EN 166.", "46.80"),
    ("WAR-7001", "Euro pallet, new", "1200x800 mm, EPAL certified.", "22.00"),
    ("WAR-7002", "Stretch film, 6 rolls", "500 mm x 300 m, 23 µm.", "64.00"),
    ("WAR-7003", "Hand pallet truck 2,500 kg", "Quick lift, polyurethane wheels.", "365.00"),
    ("WAR-7004", "Shelving unit 200x100x50", "Galvanised steel, 5 shelves, 250 kg each.", "149.00"),
    ("WAR-7005", "Packing tape, 36 rolls", "Brown, 48 mm x 66 m, low noise.", "54.00"),
    ("KIT-8001", "Coffee beans 1 kg", "Espresso roast, Rainforest Alliance.", "21.90"),
    (
        "KIT-8002",
        "Bean-to-cup coffee machine",
        "Two grinders, milk system, 200 cups a day.",
        "1890.00",
    ),
    ("KIT-8003", "Water cooler, mains-fed", "Chilled and ambient, with filter.", "540.00"),
]


# The demo's categories, by the first letters of the SKU.
CATEGORIES = {
    "CHR": "Furniture",
    "DSK": "Furniture",
    "LAP": "IT and electronics",
    "MON": "IT and electronics",
    "DOC": "IT and electronics",
    "KEY": "IT and electronics",
    "HDS": "IT and electronics",
    "PRN": "IT and electronics",
    "TON": "Office supplies",
    "PAP": "Office supplies",
    "ENV": "Office supplies",
    "FOL": "Office supplies",
    "PEN": "Office supplies",
    "NOT": "Office supplies",
    "WHB": "Office supplies",
    "CLN": "Cleaning",
    "SAF": "Safety",
    "WAR": "Warehouse",
    "KIT": "Kitchen",
}


def seed_products() -> int:
    created = 0
    for sku, name, description, price in PRODUCTS:
        category = CATEGORIES.get(sku[:3], "")
        _, was_created = Product.objects.get_or_create(
            sku=sku,
            defaults={
                "name": name,
                "description": description,
                "unit_price": Decimal(price),
                "category": category,
            },
        )
        created += was_created
    # Demo databases made before products had categories get them.
    for prefix, category in CATEGORIES.items():
        Product.objects.filter(sku__startswith=f"{prefix}-", category="").update(category=category)
    return created
