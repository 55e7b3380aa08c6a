"""The rails of the demo shop (`demo.py` builds the catalog from them). Data only."""

from dataclasses import dataclass
from typing import Final

from avthrift.domain.catalog.model import ProductStatus

# fmt: off
# (slug, name, parent, description); the last one is a seasonal department, hidden for now.
CATEGORIES: Final = (
    ("women", "Women", None, "Pre-loved and vintage womenswear: dresses, tops, denim and outerwear."),
    ("women-dresses", "Dresses", "women", "Maxi, midi and mini dresses for owambe, office and weekend."),
    ("women-maxi-dresses", "Maxi dresses", "women-dresses", "Floor-sweeping dresses in prints and silks."),
    ("women-midi-dresses", "Midi dresses", "women-dresses", "Tea dresses, shirt dresses and knits."),
    ("women-mini-dresses", "Mini dresses", "women-dresses", "Party pieces and easy day dresses."),
    ("women-tops", "Tops & blouses", "women", "Blouses, shirts, camisoles and tunics."),
    ("women-jeans", "Jeans", "women", "Mom, straight, wide-leg and flared denim."),
    ("women-skirts", "Skirts", "women", "Pleated, pencil, mini and maxi skirts."),
    ("women-jackets", "Jackets & coats", "women", "Blazers, trench coats and denim jackets."),
    ("men", "Men", None, "Pre-loved menswear: shirts, tees, trousers, outerwear and native wear."),
    ("men-shirts", "Shirts", "men", "Casual and formal shirts."),
    ("men-casual-shirts", "Casual shirts", "men-shirts", "Oxfords, linens, prints and overshirts."),
    ("men-formal-shirts", "Formal shirts", "men-shirts", "Office and occasion shirts."),
    ("men-t-shirts", "T-shirts & polos", "men", "Tees, polos and rugby shirts."),
    ("men-jackets", "Jackets & coats", "men", "Bombers, field jackets, overcoats and blazers."),
    ("men-trousers", "Trousers", "men", "Chinos, cargos, suit trousers and joggers."),
    ("men-native-wear", "Native wear", "men", "Kaftans, agbada and senator sets."),
    ("shoes", "Shoes", None, "Sneakers, boots, heels and sandals, cleaned and checked."),
    ("shoes-sneakers", "Sneakers", "shoes", "Court, running and skate classics."),
    ("shoes-boots", "Boots", "shoes", "Chelsea, combat, desert and western boots."),
    ("shoes-heels", "Heels", "shoes", "Courts, mules, slingbacks and wedges."),
    ("shoes-sandals", "Sandals & slides", "shoes", "Slides, palm slippers and summer sandals."),
    ("accessories", "Accessories", None, "Bags, belts, jewellery, sunglasses and hats."),
    ("accessories-bags", "Bags", "accessories", "Totes, crossbodies, clutches and designer finds."),
    ("accessories-belts", "Belts", "accessories", "Leather, braided and chain belts."),
    ("accessories-jewellery", "Jewellery", "accessories", "Earrings, necklaces, bangles and rings."),
    ("accessories-sunglasses", "Sunglasses", "accessories", "Aviators, wayfarers and cat-eyes."),
    ("accessories-hats", "Hats & caps", "accessories", "Fedoras, bucket hats, caps and fila."),
    ("vintage", "Vintage", None, "Genuine pieces from past decades, dated by our team."),
    ("vintage-1970s", "1970s", "vintage", "Flares, paisley and peasant dresses."),
    ("vintage-1980s", "1980s", "vintage", "Power shoulders, silk blouses and prairie prints."),
    ("vintage-1990s", "1990s", "vintage", "Band tees, windbreakers and mom jeans."),
    ("vintage-y2k", "Y2K (2000s)", "vintage", "Low-rise denim, baguette bags and butterfly tops."),
    ("swimwear", "Swimwear", None, "Swimsuits and cover-ups; back in season soon."),
)
HIDDEN_CATEGORIES: Final = frozenset({"swimwear"})

APPAREL: Final = ("XS", "S", "M", "L", "XL", "XXL")
WAIST: Final = ("W26", "W28", "W30", "W32", "W34", "W36")
WOMENS_SHOES: Final = ("EU 36", "EU 37", "EU 38", "EU 39", "EU 40", "EU 41")
MENS_SHOES: Final = ("EU 41", "EU 42", "EU 43", "EU 44", "EU 45", "EU 46")
ONE_SIZE: Final = ("One size",)
PALETTE: Final = (
    "Black", "White", "Cream", "Beige", "Camel", "Brown", "Grey", "Navy", "Blue", "Denim blue",
    "Green", "Olive", "Red", "Burgundy", "Pink", "Lilac", "Yellow", "Mustard", "Orange", "Multicolour",
)
DENIM: Final = ("Light wash", "Mid wash", "Dark wash", "Black", "White")
METALS: Final = ("Gold", "Silver", "Rose gold", "Multicolour")
CONDITIONS: Final = ("New with tags", "Like new", "Very good", "Good", "Fair")
ERAS: Final = ("1970s", "1980s", "1990s", "2000s", "Contemporary")
LUXURY: Final = frozenset({"Louis Vuitton", "Gucci", "Prada", "Burberry", "Fendi", "Dior", "Coach"})
UNBRANDED: Final = "Unbranded"

_WOMEN = ("Zara", "Mango", "H&M", "ASOS", "Tiffany Amber", "& Other Stories", "River Island", "Next")
_MEN = ("Ralph Lauren", "Tommy Hilfiger", "Uniqlo", "Zara", "Hugo Boss", "Marks & Spencer", "Gap")
_FABRICS = ("Cotton", "Viscose", "Linen", "Polyester", "Cotton blend")
_OUTER = ("Wool blend", "Cotton twill", "Faux leather", "Nylon", "Denim")
CLOSINGS = (
    "Cleaned, checked and photographed in our Lagos studio.",
    "One of a kind: once it is gone, it is gone.",
    "Ships from Lagos within two working days.",
    "Measurements are taken flat; ask us for any others.",
)
CONDITION_LEADS: Final = {
    "New with tags": "Never worn, with the original tags:",
    "Like new": "Worn once or twice and as good as new:",
    "Very good": "Gently pre-loved with no notable flaws:",
    "Good": "Pre-loved with light signs of wear (see photos):",
    "Fair": "Well loved, with visible wear priced in:",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Line:
    """One rail of the shop: its items (one product each) and what they have in common."""

    category: str
    items: tuple[str, ...]
    brands: tuple[str, ...]
    materials: tuple[str, ...]
    sizes: tuple[str, ...]
    prices: tuple[int, int]
    details: tuple[str, ...]
    colours: tuple[str, ...] = PALETTE
    length_cm: tuple[int, int] | None = None
    also: tuple[str, ...] = ()
    era: str = "Contemporary"
    status: ProductStatus = ProductStatus.PUBLISHED


LINES: Final = (
    Line(
        category="women-maxi-dresses",
        items=(
            "Floral Wrap Maxi Dress", "Tiered Ankara Maxi Dress", "Satin Slip Maxi Dress",
            "Pleated Chiffon Maxi Dress", "Boho Print Maxi Dress", "Halter Neck Maxi Dress",
            "Smocked Cotton Maxi Dress", "Kaftan Maxi Dress",
        ),
        brands=_WOMEN,
        materials=("Viscose", "Chiffon", "Cotton", "Satin", "Ankara cotton print"),
        sizes=APPAREL,
        prices=(12000, 38000),
        length_cm=(128, 152),
        details=(
            "Falls to the ankle with a tie waist.",
            "Fully lined, with a concealed side zip.",
            "A flowing cut that works for owambe or brunch.",
        ),
    ),
    Line(
        category="women-midi-dresses",
        items=(
            "Polka Dot Tea Dress", "Belted Shirt Dress", "Knitted Bodycon Midi Dress",
            "Puff Sleeve Midi Dress", "Adire Print Midi Dress", "Linen Button-Through Dress",
            "Pleated Satin Midi Dress", "Gingham Midi Dress",
        ),
        brands=_WOMEN,
        materials=_FABRICS,
        sizes=APPAREL,
        prices=(9000, 32000),
        length_cm=(105, 122),
        details=("Hits mid-calf, with side pockets.", "Cinched at the waist with a self belt."),
    ),
    Line(
        category="women-mini-dresses",
        items=(
            "Sequin Party Dress", "Denim Pinafore Dress", "Floral Skater Dress", "Velvet Mini Dress",
            "Broderie Anglaise Mini Dress", "Leopard Print Mini Dress", "Ribbed Knit Mini Dress",
        ),
        brands=_WOMEN,
        materials=("Polyester", "Cotton", "Velvet", "Denim", "Rib knit"),
        sizes=APPAREL,
        prices=(7500, 26000),
        length_cm=(78, 92),
        details=("Sits mid-thigh, with a back zip.", "Made for a night out on the Island."),
    ),
    Line(
        category="women-tops",
        items=(
            "Silk Blouse", "Off-Shoulder Top", "Lace-Trim Camisole", "Peplum Top", "Linen Shirt",
            "Ruched Crop Top", "Embroidered Tunic", "Oversized Poplin Shirt", "Striped Breton Top",
            "Puff Sleeve Blouse", "Tie-Front Shirt", "Sheer Organza Blouse",
        ),
        brands=(*_WOMEN, UNBRANDED),
        materials=("Silk", "Cotton", "Linen", "Viscose", "Organza", "Jersey"),
        sizes=APPAREL,
        prices=(4500, 16000),
        length_cm=(48, 72),
        details=("Easy to tuck into high-waisted jeans.", "Light enough for Lagos afternoons."),
    ),
    Line(
        category="women-jeans",
        items=(
            "Mom Jeans", "High-Rise Skinny Jeans", "Wide-Leg Jeans", "Straight-Leg Jeans", "Bootcut Jeans",
            "Boyfriend Jeans", "Flared Jeans", "Ripped Slim Jeans", "Cropped Straight Jeans",
            "Barrel-Leg Jeans",
        ),
        brands=("Levi's", "Zara", "Topshop", "Wrangler", "Lee", "Mango", "Gap"),
        materials=("Cotton denim", "Stretch denim", "Rigid denim"),
        sizes=WAIST,
        colours=DENIM,
        prices=(7000, 24000),
        length_cm=(92, 110),
        details=("Five-pocket styling with a zip fly.", "The denim has softened beautifully with wear."),
    ),
    Line(
        category="women-skirts",
        items=(
            "Pleated Midi Skirt", "Denim Mini Skirt", "Satin Slip Skirt", "A-Line Wrap Skirt",
            "Faux Leather Pencil Skirt", "Tiered Maxi Skirt", "Tweed Mini Skirt", "Ankara Pencil Skirt",
        ),
        brands=(*_WOMEN, "Lisa Folawiyo"),
        materials=("Polyester", "Denim", "Satin", "Faux leather", "Tweed", "Ankara cotton print"),
        sizes=APPAREL,
        prices=(5500, 21000),
        length_cm=(40, 95),
        details=("Elasticated at the back for comfort.", "Lined, with a concealed zip."),
    ),
    Line(
        category="women-jackets",
        items=(
            "Double-Breasted Blazer", "Belted Trench Coat", "Cropped Denim Jacket",
            "Faux Leather Biker Jacket", "Quilted Puffer Jacket", "Wool-Blend Coat", "Linen Blazer",
            "Teddy Fleece Jacket", "Cropped Tweed Jacket",
        ),
        brands=("Zara", "Mango", "Burberry", "River Island", "Next", "H&M", "Topshop"),
        materials=_OUTER,
        sizes=APPAREL,
        prices=(15000, 65000),
        length_cm=(50, 105),
        details=("Fully lined, with working pockets.", "Perfect for chilly harmattan mornings."),
    ),
    Line(
        category="men-casual-shirts",
        items=(
            "Oxford Button-Down Shirt", "Short-Sleeve Linen Shirt", "Hawaiian Print Shirt",
            "Flannel Check Shirt", "Denim Western Shirt", "Corduroy Overshirt", "Cuban Collar Shirt",
            "Chambray Shirt", "Striped Seersucker Shirt", "Batik Print Shirt",
        ),
        brands=_MEN,
        materials=("Cotton", "Linen", "Flannel", "Denim", "Corduroy", "Seersucker"),
        sizes=APPAREL,
        prices=(6000, 22000),
        length_cm=(70, 82),
        details=("A relaxed fit that works untucked.", "Mother-of-pearl style buttons throughout."),
    ),
    Line(
        category="men-formal-shirts",
        items=(
            "Slim-Fit Poplin Shirt", "Double-Cuff Dress Shirt", "Pinstripe Office Shirt",
            "Herringbone Dress Shirt", "Twill Formal Shirt", "Textured Dobby Shirt",
            "Regular-Fit Non-Iron Shirt", "Mandarin Collar Shirt",
        ),
        brands=("Hugo Boss", "Charles Tyrwhitt", "Marks & Spencer", "T.M. Lewin", "Ralph Lauren", "Zara"),
        materials=("Cotton poplin", "Cotton twill", "Cotton"),
        sizes=APPAREL,
        prices=(7000, 25000),
        length_cm=(76, 84),
        details=("Crisp collar, pressed and ready for Monday.", "Cut to sit neatly under a suit."),
    ),
    Line(
        category="men-t-shirts",
        items=(
            "Pique Polo Shirt", "Graphic Print T-Shirt", "Heavyweight Crew Neck T-Shirt",
            "Striped Polo Shirt", "Logo T-Shirt", "Henley T-Shirt", "Tipped Knit Polo", "Pocket T-Shirt",
            "Tie-Dye T-Shirt", "Long-Sleeve Rugby Shirt",
        ),
        brands=("Lacoste", "Ralph Lauren", "Nike", "Champion", "Uniqlo", "Tommy Hilfiger", UNBRANDED),
        materials=("Cotton", "Cotton pique", "Jersey"),
        sizes=APPAREL,
        prices=(4500, 15000),
        length_cm=(68, 78),
        details=("Soft, broken-in cotton.", "No fading, cracks or holes."),
    ),
    Line(
        category="men-jackets",
        items=(
            "Harrington Jacket", "Denim Trucker Jacket", "Nylon Bomber Jacket", "Waxed Field Jacket",
            "Wool Overcoat", "Quilted Gilet", "Leather Biker Jacket", "Windbreaker", "Unstructured Blazer",
        ),
        brands=("Barbour", "Levi's", "Alpha Industries", "Ralph Lauren", "Hugo Boss", "Zara", "Nike"),
        materials=_OUTER,
        sizes=APPAREL,
        prices=(18000, 75000),
        length_cm=(64, 100),
        details=("Zip and popper fastening.", "Roomy enough to layer over a hoodie."),
    ),
    Line(
        category="men-trousers",
        items=(
            "Pleated Chinos", "Slim Chinos", "Cargo Trousers", "Wool Suit Trousers",
            "Linen Drawstring Trousers", "Straight Jeans", "Corduroy Trousers", "Carpenter Trousers",
            "Tapered Joggers",
        ),
        brands=("Dockers", "Levi's", "Uniqlo", "Carhartt", "Marks & Spencer", "Zara", "Gap"),
        materials=("Cotton twill", "Wool", "Linen", "Denim", "Corduroy", "Cotton fleece"),
        sizes=WAIST,
        colours=("Black", "Beige", "Camel", "Navy", "Olive", "Grey", "Brown", "Dark wash"),
        prices=(6500, 24000),
        length_cm=(96, 110),
        details=("Belt loops and a button fly.", "Hemmed to a standard 32-inch leg."),
    ),
    Line(
        category="men-native-wear",
        items=(
            "Embroidered Senator Kaftan", "Three-Piece Agbada", "Brocade Kaftan Set", "Dashiki Shirt",
            "Adire Kaftan", "Linen Senator Set", "Jacquard Buba and Sokoto",
        ),
        brands=("Orange Culture", "Mai Atafo", "Ugo Monye", UNBRANDED),
        materials=("Brocade", "Cashmere wool", "Linen", "Cotton", "Aso-oke"),
        sizes=APPAREL,
        prices=(18000, 85000),
        length_cm=(90, 140),
        details=("Tailored in Lagos, with room to move.", "Hand-finished embroidery at the neck."),
    ),
    Line(
        category="shoes-sneakers",
        items=(
            "Low-Top Leather Sneakers", "Court Classic Sneakers", "Retro Running Sneakers",
            "Canvas High-Top Sneakers", "Suede Skate Shoes", "Air Cushion Runners", "Terrace Sneakers",
            "Suede Court Sneakers", "Leather Tennis Sneakers", "Heritage Runners", "Gum-Sole Sneakers",
            "Basketball High-Tops",
        ),
        brands=("Nike", "Adidas", "New Balance", "Converse", "Vans", "Nike", "Adidas", "Puma", "Reebok"),
        materials=("Leather", "Suede", "Canvas", "Mesh and suede"),
        sizes=MENS_SHOES,
        prices=(18000, 85000),
        details=("Deep-cleaned, with fresh laces.", "Plenty of tread left on the soles."),
    ),
    Line(
        category="shoes-boots",
        items=(
            "Chelsea Boots", "Leather Combat Boots", "Suede Ankle Boots", "Knee-High Boots",
            "Desert Boots", "Work Boots", "Western Boots", "Lace-Up Hiking Boots",
        ),
        brands=("Dr. Martens", "Timberland", "Clarks", "Steve Madden", "Aldo", "Zara"),
        materials=("Leather", "Suede", "Nubuck"),
        sizes=WOMENS_SHOES + MENS_SHOES[2:],
        prices=(22000, 80000),
        details=("Resoled and conditioned.", "Sturdy soles with years of wear left."),
    ),
    Line(
        category="shoes-heels",
        items=(
            "Strappy Block Heels", "Pointed Court Shoes", "Platform Sandals", "Kitten Heel Mules",
            "Slingback Heels", "Embellished Stiletto Sandals", "Espadrille Wedges",
        ),
        brands=("Steve Madden", "Aldo", "Zara", "Kurt Geiger", "Nine West", "Charles & Keith"),
        materials=("Leather", "Suede", "Satin", "Patent leather"),
        sizes=WOMENS_SHOES,
        prices=(9000, 45000),
        details=("Cushioned insoles for a long owambe.", "Heel tips recently replaced."),
    ),
    Line(
        category="shoes-sandals",
        items=(
            "Leather Slides", "Beaded Sandals", "Gladiator Sandals", "Cork Footbed Sandals",
            "Woven Mules", "Sport Sandals", "Leather Palm Slippers",
        ),
        brands=("Birkenstock", "Teva", "Zara", "Aldo", "Ugo Monye", UNBRANDED),
        materials=("Leather", "Suede", "Woven leather", "Beaded leather"),
        sizes=MENS_SHOES,
        prices=(6000, 35000),
        details=("Handmade soles with good grip.", "Comfortable from the first wear."),
    ),
    Line(
        category="accessories-bags",
        items=(
            "Monogram Shoulder Bag", "Horsebit Crossbody Bag", "Nylon Re-Edition Bag", "Leather Tote Bag",
            "Quilted Crossbody Bag", "Structured Satchel", "Mini Top-Handle Bag", "Woven Raffia Basket Bag",
            "Canvas Backpack", "Leather Bucket Bag", "Chain Clutch", "Beaded Evening Bag",
        ),
        brands=(
            "Louis Vuitton", "Gucci", "Prada", "Coach", "Michael Kors", "Kate Spade", "Longchamp",
            UNBRANDED, "Fossil", "Guess", "Zara", UNBRANDED,
        ),
        materials=("Coated canvas", "Leather", "Nylon", "Raffia", "Canvas", "Satin"),
        sizes=ONE_SIZE,
        prices=(12000, 85000),
        details=("Authenticity checked by our team.", "Clean interior; dust bag not included."),
    ),
    Line(
        category="accessories-belts",
        items=(
            "Leather Dress Belt", "Braided Belt", "Western Buckle Belt", "Chain Belt", "Canvas Web Belt",
            "Reversible Belt",
        ),
        brands=("Tommy Hilfiger", "Levi's", "Zara", "Calvin Klein", "Fossil", UNBRANDED),
        materials=("Leather", "Woven leather", "Metal", "Canvas"),
        sizes=("S", "M", "L", "XL"),
        prices=(4500, 14000),
        details=("Solid buckle, no cracking.", "Extra holes punched for a custom fit."),
    ),
    Line(
        category="accessories-jewellery",
        items=(
            "Gold-Tone Hoop Earrings", "Beaded Statement Necklace", "Sterling Silver Bangle",
            "Charm Bracelet", "Pearl Drop Earrings", "Coral Bead Necklace", "Signet Ring", "Cuff Bracelet",
            "Layered Chain Necklace", "Brass Ear Cuffs",
        ),
        brands=("Pandora", "Swarovski", UNBRANDED, "Monet", "Accessorize"),
        materials=("Gold-plated brass", "Sterling silver", "Glass beads", "Coral", "Brass"),
        sizes=ONE_SIZE,
        colours=METALS,
        prices=(4500, 28000),
        details=("Polished and ready to gift.", "Nickel-free fastenings."),
    ),
    Line(
        category="accessories-sunglasses",
        items=(
            "Aviator Sunglasses", "Wayfarer Sunglasses", "Cat-Eye Sunglasses", "Round Sunglasses",
            "Oversized Square Sunglasses", "Sport Wrap Sunglasses",
        ),
        brands=("Ray-Ban", "Ray-Ban", "Prada", "Gucci", "Michael Kors", "Oakley"),
        materials=("Metal", "Acetate", "Nylon"),
        sizes=ONE_SIZE,
        colours=("Black", "Brown", "Gold", "Silver", "Multicolour"),
        prices=(7500, 60000),
        details=("UV400 lenses, scratch-free.", "Comes with a soft pouch."),
    ),
    Line(
        category="accessories-hats",
        items=("Wool Fedora", "Bucket Hat", "Baseball Cap", "Straw Sun Hat", "Beret", "Aso-Oke Fila Cap"),
        brands=("Kangol", "Stussy", "New Era", UNBRANDED, "Kangol", UNBRANDED),
        materials=("Wool felt", "Cotton", "Cotton twill", "Straw", "Wool", "Aso-oke"),
        sizes=ONE_SIZE,
        prices=(4500, 15000),
        details=("Shape restored with steam.", "Fits a 57-58 cm head."),
    ),
    # Vintage: each rail belongs to an era and to a department.
    Line(
        category="vintage-1970s",
        also=("women-maxi-dresses",),
        era="1970s",
        items=("Peasant Maxi Dress", "Psychedelic Print Maxi Dress"),
        brands=("Laura Ashley", UNBRANDED),
        materials=("Cotton", "Polyester"),
        sizes=APPAREL,
        prices=(22000, 55000),
        length_cm=(132, 150),
        details=("A true seventies silhouette.",),
    ),
    Line(
        category="vintage-1970s",
        also=("men-casual-shirts",),
        era="1970s",
        items=("Paisley Dagger-Collar Shirt", "Wide-Collar Disco Shirt"),
        brands=(UNBRANDED, "St Michael"),
        materials=("Polyester", "Nylon"),
        sizes=APPAREL,
        prices=(14000, 32000),
        length_cm=(72, 80),
        details=("Big collar, bigger attitude.",),
    ),
    Line(
        category="vintage-1970s",
        also=("men-trousers",),
        era="1970s",
        items=("Flared Corduroy Trousers", "Wool Bell-Bottoms"),
        brands=("Wrangler", UNBRANDED),
        materials=("Corduroy", "Wool"),
        sizes=WAIST,
        colours=("Brown", "Camel", "Mustard", "Burgundy"),
        prices=(15000, 38000),
        length_cm=(104, 112),
        details=("A full flare from the knee.",),
    ),
    Line(
        category="vintage-1980s",
        also=("women-tops",),
        era="1980s",
        items=("Silk Pussy-Bow Blouse", "Batwing Knit Jumper", "Sequin Evening Top"),
        brands=("St Michael", "Benetton", UNBRANDED),
        materials=("Silk", "Wool blend", "Polyester"),
        sizes=APPAREL,
        prices=(12000, 30000),
        length_cm=(56, 68),
        details=("Shoulder pads intact, as the decade intended.",),
    ),
    Line(
        category="vintage-1980s",
        also=("women-jackets",),
        era="1980s",
        items=("Shoulder-Pad Power Blazer", "Leather Bomber Jacket"),
        brands=("Escada", UNBRANDED),
        materials=("Wool blend", "Leather"),
        sizes=APPAREL,
        prices=(25000, 70000),
        length_cm=(60, 72),
        details=("Structured and sharp.",),
    ),
    Line(
        category="vintage-1980s",
        also=("women-midi-dresses",),
        era="1980s",
        items=("Floral Prairie Dress", "Drop-Waist Polka Dot Dress"),
        brands=("Laura Ashley", "St Michael"),
        materials=("Cotton", "Viscose"),
        sizes=APPAREL,
        prices=(16000, 42000),
        length_cm=(110, 124),
        details=("Puff sleeves and a lace collar.",),
    ),
    Line(
        category="vintage-1990s",
        also=("men-t-shirts",),
        era="1990s",
        items=("Single-Stitch Band T-Shirt", "Oversized Logo Sweatshirt", "Striped Rugby Shirt"),
        brands=(UNBRANDED, "Champion", "Nautica"),
        materials=("Cotton", "Cotton fleece", "Cotton jersey"),
        sizes=APPAREL,
        prices=(9000, 28000),
        length_cm=(70, 78),
        details=("Single-stitch hems, faded just right.",),
    ),
    Line(
        category="vintage-1990s",
        also=("men-jackets",),
        era="1990s",
        items=("Colour-Block Windbreaker", "Varsity Jacket"),
        brands=("Fila", "Tommy Hilfiger"),
        materials=("Nylon", "Wool and leather"),
        sizes=APPAREL,
        prices=(18000, 48000),
        length_cm=(66, 74),
        details=("Bold nineties colour blocking.",),
    ),
    Line(
        category="vintage-1990s",
        also=("women-jeans",),
        era="1990s",
        items=("High-Waisted Mom Jeans", "Light-Wash Straight Jeans"),
        brands=("Levi's", "Lee"),
        materials=("Rigid denim",),
        sizes=WAIST,
        colours=DENIM,
        prices=(15000, 35000),
        length_cm=(100, 108),
        details=("Made in the USA; red tab on the back pocket.",),
    ),
    Line(
        category="vintage-1990s",
        also=("women-mini-dresses",),
        era="1990s",
        items=("Satin Slip Dress",),
        brands=(UNBRANDED,),
        materials=("Satin",),
        sizes=APPAREL,
        prices=(14000, 26000),
        length_cm=(84, 90),
        details=("Bias cut with adjustable straps.",),
    ),
    Line(
        category="vintage-y2k",
        also=("women-tops",),
        era="2000s",
        items=("Butterfly Halter Top", "Velour Zip Hoodie"),
        brands=(UNBRANDED, "Juicy Couture"),
        materials=("Satin", "Velour"),
        sizes=APPAREL,
        prices=(8000, 24000),
        length_cm=(40, 60),
        details=("Straight out of a 2003 music video.",),
    ),
    Line(
        category="vintage-y2k",
        also=("accessories-bags",),
        era="2000s",
        items=("Baguette Shoulder Bag", "Logo Saddle Bag"),
        brands=("Fendi", "Dior"),
        materials=("Jacquard canvas", "Coated canvas"),
        sizes=ONE_SIZE,
        prices=(45000, 85000),
        details=("Authenticity checked by our team.",),
    ),
    Line(
        category="vintage-y2k",
        also=("women-jeans",),
        era="2000s",
        items=("Low-Rise Flared Jeans",),
        brands=("Miss Sixty",),
        materials=("Stretch denim",),
        sizes=WAIST,
        colours=DENIM,
        prices=(12000, 26000),
        length_cm=(102, 110),
        details=("Low rise, long flare.",),
    ),
    Line(
        category="vintage-y2k",
        also=("accessories-sunglasses",),
        era="2000s",
        items=("Tinted Rimless Sunglasses",),
        brands=("Oakley",),
        materials=("Metal",),
        sizes=ONE_SIZE,
        colours=("Pink", "Blue", "Yellow"),
        prices=(9000, 22000),
        details=("Tinted lenses, very Y2K.",),
    ),
    # Drafts: being photographed, not on sale yet.
    Line(
        category="women-maxi-dresses",
        status=ProductStatus.DRAFT,
        items=("Sequinned Aso-Ebi Gown", "Lace Aso-Ebi Gown"),
        brands=("Tiffany Amber", UNBRANDED),
        materials=("Lace", "Sequinned tulle"),
        sizes=APPAREL,
        prices=(35000, 85000),
        length_cm=(140, 155),
        details=("Coming soon to the shop.",),
    ),
    Line(
        category="men-native-wear",
        status=ProductStatus.DRAFT,
        items=("Hand-Woven Aso-Oke Agbada", "Velvet Embroidered Kaftan"),
        brands=(UNBRANDED, "Mai Atafo"),
        materials=("Aso-oke", "Velvet"),
        sizes=APPAREL,
        prices=(45000, 85000),
        length_cm=(120, 150),
        details=("Coming soon to the shop.",),
    ),
    Line(
        category="accessories-bags",
        status=ProductStatus.DRAFT,
        items=("Croc-Effect Vanity Case", "Ostrich Leather Handbag"),
        brands=(UNBRANDED, "Coach"),
        materials=("Faux croc leather", "Ostrich leather"),
        sizes=ONE_SIZE,
        prices=(25000, 85000),
        details=("Coming soon to the shop.",),
    ),
)
# fmt: on
