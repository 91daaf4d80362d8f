/**
 * The demo catalog: the categories and products the Product service loads into an empty embedded
 * database on first start, so that a fresh install has something to browse, search and buy.
 *
 * Plain data, no imports. Prices are decimal strings (never JS floats); a product with variants has
 * a stock equal to the sum of its variants' stock. Weights are the item's own, in grams: the
 * 'Weight' specification where a product has one (a pair for shoes and poles), a fair guess otherwise.
 * Image names are files under
 * `services/product/assets/demo/`, served locally (no internet needed).
 * The invariants are checked by `demo-catalog.test.ts`.
 */

export interface DemoCategory {
  slug: string;
  name: string;
  description: string;
}

export interface DemoVariant {
  name: string;
  sku: string;
  /** null: sells at the product's price; otherwise the variant's own decimal price. */
  price: string | null;
  stock: number;
  /** grams, when the variant weighs other than its product (a bigger size); absent: the product's weight */
  weightGrams?: number;
  options: Record<string, string>;
}

export interface DemoProduct {
  /** kebab-case, unique */
  slug: string;
  /** one of demoCategories' slugs */
  categorySlug: string;
  name: string;
  description: string;
  /** decimal string with exactly two decimals */
  price: string;
  /** integer >= 0; for a product with variants, the sum of its variants' stock */
  stock: number;
  /** integer grams, 0..1,000,000 */
  weightGrams: number;
  specifications: Record<string, string>;
  /** file names under services/product/assets/demo/ */
  images: string[];
  variants?: DemoVariant[];
}

export const demoCategories: DemoCategory[] = [
  {
    slug: 'electronics',
    name: 'Electronics',
    description: 'Headphones, laptops, monitors, speakers and the gadgets that keep them charged.',
  },
  {
    slug: 'home-kitchen',
    name: 'Home & Kitchen',
    description: 'Cookware, coffee gear, bedding and storage for a well-run home.',
  },
  {
    slug: 'apparel',
    name: 'Apparel',
    description: 'Everyday clothing, shoes and accessories made from durable, comfortable fabrics.',
  },
  {
    slug: 'books',
    name: 'Books',
    description: 'Cookbooks, field guides, fiction and practical handbooks for curious readers.',
  },
  {
    slug: 'sports-outdoors',
    name: 'Sports & Outdoors',
    description: 'Fitness equipment, camping gear and accessories for training and the trail.',
  },
  {
    slug: 'beauty',
    name: 'Beauty & Personal Care',
    description: 'Skincare, hair care and grooming essentials with simple ingredient lists.',
  },
  {
    slug: 'toys-games',
    name: 'Toys & Games',
    description: 'Building sets, puzzles, board games and plush toys for all ages.',
  },
  {
    slug: 'office',
    name: 'Office',
    description: 'Desks, chairs, lighting and stationery for a comfortable, productive workspace.',
  },
];

export const demoProducts: DemoProduct[] = [
  // ── Electronics ─────────────────────────────────────────────────────────────────────────────
  {
    slug: 'wireless-noise-cancelling-headphones',
    categorySlug: 'electronics',
    name: 'Wireless Noise-Cancelling Headphones',
    description:
      'Over-ear headphones with adaptive noise cancelling that quietens trains, planes and open offices. ' +
      'A single charge lasts 35 hours, and ten minutes on USB-C adds another five.',
    price: '249.99',
    stock: 123,
    weightGrams: 254,
    specifications: {
      'Battery Life': '35 hours (ANC on)',
      Connectivity: 'Bluetooth 5.3, 3.5 mm jack',
      Weight: '254 g',
      Charging: 'USB-C, fast charge',
      Drivers: '40 mm dynamic',
    },
    images: ['wireless-noise-cancelling-headphones-1.svg', 'wireless-noise-cancelling-headphones-2.svg', 'wireless-noise-cancelling-headphones-3.svg'],
    variants: [
      { name: 'Black', sku: 'HDP-ANC-BLK', price: null, stock: 64, options: { Colour: 'Black' } },
      { name: 'Silver', sku: 'HDP-ANC-SLV', price: null, stock: 38, options: { Colour: 'Silver' } },
      { name: 'Midnight Blue', sku: 'HDP-ANC-BLU', price: null, stock: 21, options: { Colour: 'Midnight Blue' } },
    ],
  },
  {
    slug: 'tenkeyless-mechanical-keyboard',
    categorySlug: 'electronics',
    name: 'Tenkeyless Mechanical Keyboard',
    description:
      'A compact mechanical keyboard without the number pad, leaving more room for your mouse. ' +
      'Hot-swappable switches, PBT keycaps and a detachable braided USB-C cable.',
    price: '119.00',
    stock: 97,
    weightGrams: 850,
    specifications: {
      Layout: 'Tenkeyless (87 keys)',
      Keycaps: 'Double-shot PBT',
      Backlight: 'White LED, 5 levels',
      Connection: 'USB-C, detachable cable',
      Case: 'Aluminium top plate',
    },
    images: ['tenkeyless-mechanical-keyboard-1.svg', 'tenkeyless-mechanical-keyboard-2.svg'],
    variants: [
      { name: 'Linear Red Switches', sku: 'KBD-TKL-RED', price: null, stock: 45, options: { Switches: 'Linear Red' } },
      { name: 'Tactile Brown Switches', sku: 'KBD-TKL-BRN', price: null, stock: 52, options: { Switches: 'Tactile Brown' } },
      { name: 'Clicky Blue Switches', sku: 'KBD-TKL-BLU', price: null, stock: 0, options: { Switches: 'Clicky Blue' } },
    ],
  },
  {
    slug: '27-inch-4k-ips-monitor',
    categorySlug: 'electronics',
    name: '27-Inch 4K IPS Monitor',
    description:
      'A 27-inch Ultra HD panel with factory-calibrated colour covering 98% of DCI-P3. ' +
      'One USB-C cable carries video, data and 65 W of power to your laptop.',
    price: '429.50',
    stock: 34,
    weightGrams: 5600,
    specifications: {
      Resolution: '3840 x 2160',
      Panel: 'IPS, 60 Hz',
      Brightness: '400 cd/m²',
      Ports: 'USB-C (65 W), HDMI 2.0, DisplayPort 1.4',
      Stand: 'Height, tilt and swivel adjustable',
    },
    images: ['27-inch-4k-ips-monitor-1.svg', '27-inch-4k-ips-monitor-2.svg'],
  },
  {
    slug: 'portable-waterproof-bluetooth-speaker',
    categorySlug: 'electronics',
    name: 'Portable Waterproof Bluetooth Speaker',
    description: 'A palm-sized speaker rated IP67, so it survives rain, sand and the occasional drop in the pool. ' + 'Pair two for stereo sound.',
    price: '79.95',
    stock: 187,
    weightGrams: 540,
    specifications: {
      'Water Resistance': 'IP67',
      'Battery Life': '16 hours',
      Output: '20 W',
      Weight: '540 g',
    },
    images: ['portable-waterproof-bluetooth-speaker-1.svg', 'portable-waterproof-bluetooth-speaker-2.svg'],
  },
  {
    slug: 'fitness-smartwatch-with-gps',
    categorySlug: 'electronics',
    name: 'Fitness Smartwatch with GPS',
    description:
      'Tracks runs, rides and swims with built-in GPS, plus heart rate, sleep and blood oxygen around the clock. ' +
      'The always-on display stays readable in bright sunlight.',
    price: '199.00',
    stock: 73,
    weightGrams: 42,
    specifications: {
      Display: '1.4" AMOLED, always-on',
      'Battery Life': 'Up to 7 days',
      'Water Resistance': '5 ATM',
      Sensors: 'GPS, heart rate, SpO2',
    },
    images: ['fitness-smartwatch-with-gps-1.svg', 'fitness-smartwatch-with-gps-2.svg'],
    variants: [
      { name: '41 mm', sku: 'WCH-GPS-41', price: null, stock: 40, options: { 'Case Size': '41 mm' } },
      { name: '45 mm', sku: 'WCH-GPS-45', price: '219.00', stock: 33, weightGrams: 48, options: { 'Case Size': '45 mm' } },
    ],
  },
  {
    slug: '7-in-1-usb-c-hub',
    categorySlug: 'electronics',
    name: '7-in-1 USB-C Hub',
    description:
      'Adds HDMI, two USB-A ports, an SD and microSD reader, Ethernet and pass-through charging to any USB-C laptop. ' +
      'The aluminium shell doubles as a heat sink.',
    price: '49.99',
    stock: 212,
    weightGrams: 80,
    specifications: {
      Ports: 'HDMI 4K60, 2x USB-A 3.2, SD, microSD, Gigabit Ethernet, USB-C PD',
      'Power Delivery': '100 W pass-through',
      Material: 'Aluminium',
      'Cable Length': '15 cm',
    },
    images: ['7-in-1-usb-c-hub-1.svg'],
  },
  {
    slug: 'wireless-charging-pad',
    categorySlug: 'electronics',
    name: 'Wireless Charging Pad',
    description:
      'A slim Qi charging pad that tops up phones and earbuds at up to 15 W. ' + 'The non-slip fabric surface keeps your phone in place on the nightstand.',
    price: '29.99',
    stock: 0,
    weightGrams: 120,
    specifications: {
      Standard: 'Qi',
      Output: 'Up to 15 W',
      Input: 'USB-C',
      Diameter: '10 cm',
    },
    images: ['wireless-charging-pad-1.svg'],
  },
  {
    slug: '14-inch-ultralight-laptop',
    categorySlug: 'electronics',
    name: '14-Inch Ultralight Laptop',
    description:
      'A 1.1 kg laptop with a sharp 2.8K display, an all-day battery and a backlit keyboard that is a pleasure to type on. ' +
      'Two Thunderbolt ports drive external monitors and fast storage.',
    price: '1299.00',
    stock: 18,
    weightGrams: 1100,
    specifications: {
      Display: '14" 2880 x 1800 OLED',
      Processor: '12-core, 4.8 GHz',
      'Battery Life': 'Up to 18 hours',
      Weight: '1.1 kg',
      Ports: '2x Thunderbolt 4, USB-A, headphone jack',
    },
    images: ['14-inch-ultralight-laptop-1.svg', '14-inch-ultralight-laptop-2.svg', '14-inch-ultralight-laptop-3.svg'],
    variants: [
      {
        name: '16 GB RAM / 512 GB SSD',
        sku: 'LAP-14-16-512',
        price: null,
        stock: 12,
        options: { Memory: '16 GB', Storage: '512 GB' },
      },
      {
        name: '32 GB RAM / 1 TB SSD',
        sku: 'LAP-14-32-1T',
        price: '1549.00',
        stock: 6,
        options: { Memory: '32 GB', Storage: '1 TB' },
      },
    ],
  },
  {
    slug: 'true-wireless-earbuds',
    categorySlug: 'electronics',
    name: 'True Wireless Earbuds',
    description:
      'Lightweight earbuds with three sizes of silicone tips and a pocketable charging case. ' +
      'Touch controls handle music and calls, and the buds resist sweat and splashes.',
    price: '89.99',
    stock: 143,
    weightGrams: 50,
    specifications: {
      'Battery Life': '7 hours (28 with case)',
      'Water Resistance': 'IPX4',
      Connectivity: 'Bluetooth 5.3',
      Weight: '4.8 g per bud',
    },
    images: ['true-wireless-earbuds-1.svg', 'true-wireless-earbuds-2.svg'],
  },
  {
    slug: '4k-action-camera',
    categorySlug: 'electronics',
    name: '4K Action Camera',
    description:
      'Records stabilised 4K video at 60 frames per second, waterproof to 10 metres without a housing. ' +
      'A front-facing screen makes framing selfies and vlogs easy.',
    price: '279.00',
    stock: 27,
    weightGrams: 150,
    specifications: {
      Video: '4K60, 2.7K120',
      Photo: '23 MP',
      Stabilisation: 'Electronic, horizon levelling',
      Waterproof: '10 m',
      Screens: '2.3" rear touch, 1.4" front',
    },
    images: ['4k-action-camera-1.svg', '4k-action-camera-2.svg'],
  },

  // ── Home & Kitchen ──────────────────────────────────────────────────────────────────────────
  {
    slug: 'stainless-steel-french-press',
    categorySlug: 'home-kitchen',
    name: 'Stainless Steel French Press',
    description:
      'A double-walled French press that keeps coffee hot for an hour and never cracks like glass. ' +
      'The four-layer filter leaves the grounds behind and the body goes in the dishwasher.',
    price: '39.90',
    stock: 129,
    weightGrams: 450,
    specifications: {
      Material: '18/8 stainless steel',
      Insulation: 'Double-walled',
      Filter: 'Four-layer mesh',
      'Dishwasher Safe': 'Yes',
    },
    images: ['stainless-steel-french-press-1.svg', 'stainless-steel-french-press-2.svg'],
    variants: [
      { name: '350 ml', sku: 'FRP-350', price: null, stock: 58, options: { Capacity: '350 ml' } },
      { name: '1 L', sku: 'FRP-1000', price: '44.90', stock: 71, weightGrams: 900, options: { Capacity: '1 L' } },
    ],
  },
  {
    slug: 'enamelled-cast-iron-dutch-oven',
    categorySlug: 'home-kitchen',
    name: 'Enamelled Cast Iron Dutch Oven',
    description:
      'A 5.2-litre Dutch oven for slow braises, stews and crusty no-knead bread. ' +
      'The enamel needs no seasoning, and the pot works on every hob including induction and in the oven up to 250 °C.',
    price: '119.95',
    stock: 48,
    weightGrams: 5400,
    specifications: {
      Capacity: '5.2 L',
      Diameter: '26 cm',
      Weight: '5.4 kg',
      'Oven Safe': 'Up to 250 °C',
      Hobs: 'Gas, electric, ceramic, induction',
    },
    images: ['enamelled-cast-iron-dutch-oven-1.svg', 'enamelled-cast-iron-dutch-oven-2.svg', 'enamelled-cast-iron-dutch-oven-3.svg'],
    variants: [
      { name: 'Cherry Red', sku: 'DOV-26-RED', price: null, stock: 22, options: { Colour: 'Cherry Red' } },
      { name: 'Sage Green', sku: 'DOV-26-GRN', price: null, stock: 17, options: { Colour: 'Sage Green' } },
      { name: 'Slate Grey', sku: 'DOV-26-GRY', price: null, stock: 9, options: { Colour: 'Slate Grey' } },
    ],
  },
  {
    slug: 'ceramic-pour-over-coffee-set',
    categorySlug: 'home-kitchen',
    name: 'Ceramic Pour-Over Coffee Set',
    description:
      'A hand-glazed ceramic dripper with a matching 600 ml carafe for brewing one to four cups. ' +
      'Spiral ribs inside the cone keep the flow even for a clean, bright cup.',
    price: '34.50',
    stock: 96,
    weightGrams: 900,
    specifications: {
      Material: 'Stoneware',
      'Carafe Capacity': '600 ml',
      Filters: 'Size 02 cone',
      'Dishwasher Safe': 'Yes',
    },
    images: ['ceramic-pour-over-coffee-set-1.svg', 'ceramic-pour-over-coffee-set-2.svg'],
  },
  {
    slug: '8-inch-chefs-knife',
    categorySlug: 'home-kitchen',
    name: "8-Inch Chef's Knife",
    description:
      "A forged chef's knife with a high-carbon stainless blade, sharpened to 15 degrees per side. " +
      'The full tang and pakkawood handle give it balance for hours of chopping.',
    price: '89.00',
    stock: 64,
    weightGrams: 230,
    specifications: {
      'Blade Length': '20 cm',
      Steel: 'High-carbon stainless, 58 HRC',
      Handle: 'Pakkawood',
      Weight: '230 g',
    },
    images: ['8-inch-chefs-knife-1.svg', '8-inch-chefs-knife-2.svg'],
  },
  {
    slug: 'bamboo-cutting-board-set',
    categorySlug: 'home-kitchen',
    name: 'Bamboo Cutting Board Set',
    description:
      'Three bamboo boards in small, medium and large, each with a juice groove on one side. ' + 'Bamboo is hard enough to last and gentle on knife edges.',
    price: '27.99',
    stock: 158,
    weightGrams: 2000,
    specifications: {
      Material: 'Organic bamboo',
      Pieces: '3',
      Sizes: '25 x 18, 33 x 23, 40 x 28 cm',
      Care: 'Hand wash, oil monthly',
    },
    images: ['bamboo-cutting-board-set-1.svg'],
  },
  {
    slug: 'electric-gooseneck-kettle',
    categorySlug: 'home-kitchen',
    name: 'Electric Gooseneck Kettle',
    description:
      'A precision-pour kettle that heats to any temperature from 40 to 100 °C and holds it for an hour. ' +
      'Ideal for pour-over coffee and delicate green teas.',
    price: '69.99',
    stock: 0,
    weightGrams: 1100,
    specifications: {
      Capacity: '0.9 L',
      Power: '1200 W',
      'Temperature Range': '40 to 100 °C',
      'Hold Time': '60 minutes',
    },
    images: ['electric-gooseneck-kettle-1.svg', 'electric-gooseneck-kettle-2.svg'],
  },
  {
    slug: 'stonewashed-linen-duvet-cover',
    categorySlug: 'home-kitchen',
    name: 'Stonewashed Linen Duvet Cover',
    description:
      'A duvet cover in pure European flax linen, stonewashed for a soft, lived-in feel from the first night. ' +
      'It breathes in summer, insulates in winter and gets softer with every wash.',
    price: '149.00',
    stock: 51,
    weightGrams: 1400,
    specifications: {
      Material: '100% European flax linen',
      Weight: '170 g/m²',
      Closure: 'Hidden buttons',
      Care: 'Machine wash 40 °C',
    },
    images: ['stonewashed-linen-duvet-cover-1.svg', 'stonewashed-linen-duvet-cover-2.svg'],
    variants: [
      { name: 'Single', sku: 'DUV-LIN-SGL', price: '129.00', stock: 14, weightGrams: 1000, options: { Size: 'Single' } },
      { name: 'Double', sku: 'DUV-LIN-DBL', price: null, stock: 26, options: { Size: 'Double' } },
      { name: 'King', sku: 'DUV-LIN-KNG', price: '179.00', stock: 11, weightGrams: 1800, options: { Size: 'King' } },
    ],
  },
  {
    slug: 'glass-food-storage-containers',
    categorySlug: 'home-kitchen',
    name: 'Glass Food Storage Containers (10-Piece)',
    description:
      'Five borosilicate glass containers with snap-lock lids that go from freezer to oven to table. ' +
      'The silicone seals keep soups and sauces from leaking in your bag.',
    price: '42.75',
    stock: 121,
    weightGrams: 3500,
    specifications: {
      Material: 'Borosilicate glass, BPA-free lids',
      Pieces: '5 containers + 5 lids',
      'Oven Safe': 'Containers up to 400 °C',
      'Freezer Safe': 'Yes',
    },
    images: ['glass-food-storage-containers-1.svg'],
  },
  {
    slug: 'high-speed-countertop-blender',
    categorySlug: 'home-kitchen',
    name: 'High-Speed Countertop Blender',
    description:
      'A 1500 W blender that turns frozen fruit into smoothies in under a minute and makes hot soup by friction alone. ' +
      'Ten speeds and a pulse setting give fine control for nut butters and salsas.',
    price: '189.00',
    stock: 37,
    weightGrams: 4500,
    specifications: {
      Power: '1500 W',
      Jar: '2 L, BPA-free',
      Speeds: '10 + pulse',
      Blades: 'Hardened stainless steel',
    },
    images: ['high-speed-countertop-blender-1.svg', 'high-speed-countertop-blender-2.svg'],
  },
  {
    slug: 'scented-soy-wax-candle',
    categorySlug: 'home-kitchen',
    name: 'Scented Soy Wax Candle',
    description:
      'A hand-poured soy wax candle in a reusable amber glass jar, scented with cedarwood, sage and a hint of citrus. ' +
      'The cotton wick burns cleanly for about 50 hours.',
    price: '18.50',
    stock: 190,
    weightGrams: 220,
    specifications: {
      Wax: '100% soy',
      Wick: 'Cotton',
      'Burn Time': 'About 50 hours',
      Weight: '220 g',
    },
    images: ['scented-soy-wax-candle-1.svg'],
  },

  // ── Apparel ─────────────────────────────────────────────────────────────────────────────────
  {
    slug: 'organic-cotton-crew-neck-t-shirt',
    categorySlug: 'apparel',
    name: 'Organic Cotton Crew-Neck T-Shirt',
    description:
      'A heavyweight crew-neck tee in certified organic cotton that keeps its shape wash after wash. ' + 'Relaxed through the body with a reinforced collar.',
    price: '24.00',
    stock: 208,
    weightGrams: 180,
    specifications: {
      Material: '100% organic cotton',
      Weight: '220 g/m²',
      Fit: 'Relaxed',
      Care: 'Machine wash 30 °C',
    },
    images: ['organic-cotton-crew-neck-t-shirt-1.svg', 'organic-cotton-crew-neck-t-shirt-2.svg', 'organic-cotton-crew-neck-t-shirt-3.svg'],
    variants: [
      { name: 'S', sku: 'TEE-ORG-S', price: null, stock: 40, options: { Size: 'S' } },
      { name: 'M', sku: 'TEE-ORG-M', price: null, stock: 72, options: { Size: 'M' } },
      { name: 'L', sku: 'TEE-ORG-L', price: null, stock: 65, options: { Size: 'L' } },
      { name: 'XL', sku: 'TEE-ORG-XL', price: null, stock: 31, options: { Size: 'XL' } },
    ],
  },
  {
    slug: 'merino-wool-sweater',
    categorySlug: 'apparel',
    name: 'Merino Wool Sweater',
    description:
      'A fine-gauge sweater knitted from extra-fine merino that is warm without bulk and never itchy. ' +
      'Wear it over a shirt at the office or on its own at the weekend.',
    price: '98.00',
    stock: 54,
    weightGrams: 350,
    specifications: {
      Material: '100% extra-fine merino wool',
      Gauge: '14 gauge',
      Fit: 'Regular',
      Care: 'Hand wash or wool cycle',
    },
    images: ['merino-wool-sweater-1.svg', 'merino-wool-sweater-2.svg'],
    variants: [
      { name: 'Navy / M', sku: 'MER-NVY-M', price: null, stock: 18, options: { Colour: 'Navy', Size: 'M' } },
      { name: 'Navy / L', sku: 'MER-NVY-L', price: null, stock: 12, options: { Colour: 'Navy', Size: 'L' } },
      { name: 'Oatmeal / M', sku: 'MER-OAT-M', price: null, stock: 15, options: { Colour: 'Oatmeal', Size: 'M' } },
      { name: 'Oatmeal / L', sku: 'MER-OAT-L', price: null, stock: 9, options: { Colour: 'Oatmeal', Size: 'L' } },
    ],
  },
  {
    slug: 'waterproof-rain-jacket',
    categorySlug: 'apparel',
    name: 'Waterproof Rain Jacket',
    description: 'A three-layer shell with fully taped seams that keeps out downpours while letting sweat escape. ' + 'It packs into its own chest pocket.',
    price: '159.99',
    stock: 18,
    weightGrams: 340,
    specifications: {
      Waterproofing: '20,000 mm',
      Breathability: '15,000 g/m²/24h',
      Weight: '340 g',
      Features: 'Adjustable hood, pit zips, packable',
    },
    images: ['waterproof-rain-jacket-1.svg', 'waterproof-rain-jacket-2.svg'],
    variants: [
      { name: 'S', sku: 'RJK-3L-S', price: null, stock: 11, options: { Size: 'S' } },
      { name: 'M', sku: 'RJK-3L-M', price: null, stock: 0, options: { Size: 'M' } },
      { name: 'L', sku: 'RJK-3L-L', price: null, stock: 7, options: { Size: 'L' } },
    ],
  },
  {
    slug: 'slim-fit-stretch-chinos',
    categorySlug: 'apparel',
    name: 'Slim-Fit Stretch Chinos',
    description: 'Cotton twill chinos with a touch of stretch for comfort at the desk and on the bike. ' + 'Slim through the thigh with a tapered leg.',
    price: '64.50',
    stock: 100,
    weightGrams: 450,
    specifications: {
      Material: '98% cotton, 2% elastane',
      Fit: 'Slim, tapered',
      Rise: 'Mid',
      Care: 'Machine wash 30 °C',
    },
    images: ['slim-fit-stretch-chinos-1.svg'],
  },
  {
    slug: 'full-grain-leather-belt',
    categorySlug: 'apparel',
    name: 'Full-Grain Leather Belt',
    description:
      'Cut from a single strip of vegetable-tanned full-grain leather that darkens beautifully with age. ' +
      'The solid brass buckle is held by screws, so it can be swapped.',
    price: '45.00',
    stock: 88,
    weightGrams: 250,
    specifications: {
      Material: 'Vegetable-tanned full-grain leather',
      Width: '3.5 cm',
      Buckle: 'Solid brass',
      Thickness: '4 mm',
    },
    images: ['full-grain-leather-belt-1.svg'],
  },
  {
    slug: 'everyday-running-sneakers',
    categorySlug: 'apparel',
    name: 'Everyday Running Sneakers',
    description:
      'Cushioned, breathable sneakers built for daily runs up to a half marathon. ' +
      'The knit upper flexes with your foot and the rubber outsole grips on wet pavements.',
    price: '110.00',
    stock: 69,
    weightGrams: 520,
    specifications: {
      Upper: 'Engineered knit',
      Midsole: 'EVA foam',
      Drop: '8 mm',
      Weight: '260 g (EU 42)',
    },
    images: ['everyday-running-sneakers-1.svg', 'everyday-running-sneakers-2.svg'],
    variants: [
      { name: 'EU 40', sku: 'SNK-RUN-40', price: null, stock: 9, options: { Size: 'EU 40' } },
      { name: 'EU 41', sku: 'SNK-RUN-41', price: null, stock: 14, options: { Size: 'EU 41' } },
      { name: 'EU 42', sku: 'SNK-RUN-42', price: null, stock: 21, options: { Size: 'EU 42' } },
      { name: 'EU 43', sku: 'SNK-RUN-43', price: null, stock: 17, options: { Size: 'EU 43' } },
      { name: 'EU 44', sku: 'SNK-RUN-44', price: null, stock: 8, options: { Size: 'EU 44' } },
    ],
  },
  {
    slug: 'ribbed-wool-beanie',
    categorySlug: 'apparel',
    name: 'Ribbed Wool Beanie',
    description: 'A chunky rib-knit beanie in soft lambswool with a deep turn-up that covers the ears. ' + 'One size fits most.',
    price: '22.00',
    stock: 176,
    weightGrams: 90,
    specifications: {
      Material: '100% lambswool',
      Knit: '2x2 rib',
      Size: 'One size',
      Care: 'Hand wash cold',
    },
    images: ['ribbed-wool-beanie-1.svg'],
  },
  {
    slug: 'classic-denim-jacket',
    categorySlug: 'apparel',
    name: 'Classic Denim Jacket',
    description:
      'A trucker-style jacket in rigid 13 oz denim that breaks in to fit you over time. ' + 'Two chest pockets, two hand pockets and copper shank buttons.',
    price: '89.90',
    stock: 0,
    weightGrams: 900,
    specifications: {
      Material: '100% cotton denim, 13 oz',
      Wash: 'Mid-blue rinse',
      Fit: 'Regular',
      Buttons: 'Copper shank',
    },
    images: ['classic-denim-jacket-1.svg', 'classic-denim-jacket-2.svg'],
  },
  {
    slug: 'linen-button-down-shirt',
    categorySlug: 'apparel',
    name: 'Linen Button-Down Shirt',
    description:
      'A lightweight linen shirt with a button-down collar that stays cool on the hottest days. ' + 'Garment-dyed for a soft hand and subtle colour variation.',
    price: '58.00',
    stock: 47,
    weightGrams: 220,
    specifications: {
      Material: '100% linen',
      Collar: 'Button-down',
      Fit: 'Regular',
      Care: 'Machine wash 30 °C',
    },
    images: ['linen-button-down-shirt-1.svg', 'linen-button-down-shirt-2.svg'],
  },
  {
    slug: 'cotton-crew-socks-5-pack',
    categorySlug: 'apparel',
    name: 'Cotton Crew Socks (5-Pack)',
    description: 'Five pairs of combed-cotton crew socks with a cushioned sole and a seamless toe. ' + 'The ribbed cuff stays up all day without pinching.',
    price: '16.99',
    stock: 243,
    weightGrams: 250,
    specifications: {
      Material: '80% combed cotton, 18% polyamide, 2% elastane',
      Pairs: '5',
      Sizes: 'EU 39-42, EU 43-46',
      Care: 'Machine wash 40 °C',
    },
    images: ['cotton-crew-socks-5-pack-1.svg'],
  },

  // ── Books ───────────────────────────────────────────────────────────────────────────────────
  {
    slug: 'practical-guide-to-sourdough-baking',
    categorySlug: 'books',
    name: 'The Practical Guide to Sourdough Baking',
    description:
      'From raising a starter to scoring a crackling loaf, this guide walks through every step with clear photographs. ' +
      'Includes 45 recipes for breads, pizza, crackers and pancakes.',
    price: '27.50',
    stock: 64,
    weightGrams: 900,
    specifications: {
      Pages: '288',
      Language: 'English',
      Illustrations: '180 colour photographs',
      'Publication Year': '2023',
    },
    images: ['practical-guide-to-sourdough-baking-1.svg', 'practical-guide-to-sourdough-baking-2.svg'],
    variants: [
      { name: 'Hardcover', sku: 'BK-SOUR-HC', price: null, stock: 37, options: { Format: 'Hardcover' } },
      { name: 'Paperback', sku: 'BK-SOUR-PB', price: '18.99', stock: 27, weightGrams: 550, options: { Format: 'Paperback' } },
    ],
  },
  {
    slug: 'gentle-introduction-to-algorithms',
    categorySlug: 'books',
    name: 'A Gentle Introduction to Algorithms',
    description:
      'Sorting, searching, graphs and dynamic programming explained with diagrams and plain-language examples. ' +
      'Each chapter ends with exercises and worked solutions.',
    price: '54.00',
    stock: 41,
    weightGrams: 850,
    specifications: {
      Format: 'Paperback',
      Pages: '512',
      Language: 'English',
      Level: 'Undergraduate',
    },
    images: ['gentle-introduction-to-algorithms-1.svg'],
  },
  {
    slug: 'night-sky-field-guide',
    categorySlug: 'books',
    name: 'Night Sky Field Guide',
    description:
      'A pocket guide to the constellations, planets and deep-sky objects visible with the naked eye or binoculars. ' +
      'Seasonal star charts are printed on water-resistant paper.',
    price: '19.95',
    stock: 88,
    weightGrams: 300,
    specifications: {
      Format: 'Flexibound',
      Pages: '176',
      Language: 'English',
      Dimensions: '12 x 19 cm',
    },
    images: ['night-sky-field-guide-1.svg', 'night-sky-field-guide-2.svg'],
  },
  {
    slug: 'the-silent-ridge-mountain-mystery',
    categorySlug: 'books',
    name: 'The Silent Ridge: A Mountain Mystery',
    description:
      'When a climber vanishes during a winter storm, the village doctor is the only one who doubts it was an accident. ' +
      'A slow-burning mystery set in an isolated alpine valley.',
    price: '14.99',
    stock: 132,
    weightGrams: 400,
    specifications: {
      Format: 'Paperback',
      Pages: '368',
      Language: 'English',
      Genre: 'Mystery',
    },
    images: ['the-silent-ridge-mountain-mystery-1.svg'],
  },
  {
    slug: 'the-plant-based-kitchen-cookbook',
    categorySlug: 'books',
    name: 'The Plant-Based Kitchen Cookbook',
    description:
      'Over 100 vegetable-forward recipes for weeknight dinners, from smoky bean chilli to miso-glazed aubergine. ' +
      'Each recipe lists its prep time and whether it freezes well.',
    price: '32.00',
    stock: 57,
    weightGrams: 1200,
    specifications: {
      Format: 'Hardcover',
      Pages: '320',
      Language: 'English',
      Recipes: '104',
    },
    images: ['the-plant-based-kitchen-cookbook-1.svg', 'the-plant-based-kitchen-cookbook-2.svg'],
  },
  {
    slug: 'watercolour-painting-for-beginners',
    categorySlug: 'books',
    name: 'Watercolour Painting for Beginners',
    description:
      'Twenty step-by-step projects that build up washes, glazing and wet-in-wet techniques. ' + 'Lay-flat binding keeps the book open next to your palette.',
    price: '24.50',
    stock: 0,
    weightGrams: 600,
    specifications: {
      Format: 'Spiral-bound',
      Pages: '160',
      Language: 'English',
      Projects: '20',
    },
    images: ['watercolour-painting-for-beginners-1.svg'],
  },
  {
    slug: 'a-short-history-of-maps',
    categorySlug: 'books',
    name: 'A Short History of Maps',
    description:
      'How people have drawn the world, from clay tablets and medieval mappae mundi to satellite imagery. ' + 'Richly illustrated with 150 historic maps.',
    price: '29.95',
    stock: 23,
    weightGrams: 1100,
    specifications: {
      Format: 'Hardcover',
      Pages: '256',
      Language: 'English',
      Illustrations: '150 maps',
    },
    images: ['a-short-history-of-maps-1.svg'],
  },
  {
    slug: 'ollie-and-the-deep-blue-sea',
    categorySlug: 'books',
    name: 'Ollie and the Deep Blue Sea',
    description: 'A curious octopus sets off to find the bottom of the ocean and makes friends on the way down. ' + 'A rhyming picture book for ages 3 to 6.',
    price: '12.99',
    stock: 150,
    weightGrams: 450,
    specifications: {
      Format: 'Hardcover picture book',
      Pages: '32',
      Language: 'English',
      Ages: '3-6',
    },
    images: ['ollie-and-the-deep-blue-sea-1.svg', 'ollie-and-the-deep-blue-sea-2.svg'],
  },
  {
    slug: 'mindful-productivity',
    categorySlug: 'books',
    name: 'Mindful Productivity: Doing Less, Better',
    description:
      'A practical book about choosing fewer priorities, protecting time for deep work and ending the day on purpose. ' +
      'Short chapters with one exercise each.',
    price: '17.49',
    stock: 96,
    weightGrams: 280,
    specifications: {
      Format: 'Paperback',
      Pages: '224',
      Language: 'English',
      Genre: 'Self-help',
    },
    images: ['mindful-productivity-1.svg'],
  },
  {
    slug: 'the-home-woodworking-handbook',
    categorySlug: 'books',
    name: 'The Home Woodworking Handbook',
    description:
      'Covers choosing timber, sharpening hand tools and cutting classic joints, then puts them together in 12 furniture projects. ' +
      'Measured drawings are included for every build.',
    price: '39.00',
    stock: 31,
    weightGrams: 1300,
    specifications: {
      Format: 'Hardcover',
      Pages: '304',
      Language: 'English',
      Projects: '12',
    },
    images: ['the-home-woodworking-handbook-1.svg', 'the-home-woodworking-handbook-2.svg'],
  },

  // ── Sports & Outdoors ───────────────────────────────────────────────────────────────────────
  {
    slug: 'non-slip-yoga-mat',
    categorySlug: 'sports-outdoors',
    name: 'Non-Slip Yoga Mat',
    description:
      'A 6 mm natural rubber mat with a polyurethane top that grips even in a sweaty hot-yoga class. ' + 'Alignment lines help with hand and foot placement.',
    price: '44.95',
    stock: 135,
    weightGrams: 2400,
    specifications: {
      Material: 'Natural rubber, PU top layer',
      Dimensions: '183 x 68 cm',
      Thickness: '6 mm',
      Weight: '2.4 kg',
    },
    images: ['non-slip-yoga-mat-1.svg', 'non-slip-yoga-mat-2.svg'],
    variants: [
      { name: 'Plum', sku: 'YGA-6MM-PLM', price: null, stock: 52, options: { Colour: 'Plum' } },
      { name: 'Teal', sku: 'YGA-6MM-TEA', price: null, stock: 47, options: { Colour: 'Teal' } },
      { name: 'Charcoal', sku: 'YGA-6MM-CHR', price: null, stock: 36, options: { Colour: 'Charcoal' } },
    ],
  },
  {
    slug: 'adjustable-dumbbell-set',
    categorySlug: 'sports-outdoors',
    name: 'Adjustable Dumbbell Set (2 x 24 kg)',
    description:
      'A pair of dumbbells that adjust from 2.5 to 24 kg with a twist of the dial, replacing fifteen sets of weights. ' +
      'The cradle keeps them tidy in a corner.',
    price: '349.00',
    stock: 16,
    weightGrams: 48000,
    specifications: {
      'Weight Range': '2.5 to 24 kg each',
      Increments: '15 settings',
      Dimensions: '43 x 22 x 23 cm per dumbbell',
      Includes: '2 dumbbells, 2 cradles',
    },
    images: ['adjustable-dumbbell-set-1.svg', 'adjustable-dumbbell-set-2.svg'],
  },
  {
    slug: 'insulated-stainless-water-bottle',
    categorySlug: 'sports-outdoors',
    name: 'Insulated Stainless Water Bottle',
    description:
      'A vacuum-insulated bottle that keeps drinks cold for 24 hours or hot for 12. ' +
      'The leak-proof lid has a carry loop and the powder coat will not sweat or slip.',
    price: '29.95',
    stock: 214,
    weightGrams: 340,
    specifications: {
      Material: '18/8 stainless steel',
      Insulation: 'Double-wall vacuum',
      'Cold / Hot': '24 h / 12 h',
      'BPA-Free': 'Yes',
    },
    images: ['insulated-stainless-water-bottle-1.svg', 'insulated-stainless-water-bottle-2.svg', 'insulated-stainless-water-bottle-3.svg'],
    variants: [
      { name: '500 ml', sku: 'BTL-INS-500', price: null, stock: 120, options: { Capacity: '500 ml' } },
      { name: '750 ml', sku: 'BTL-INS-750', price: '34.95', stock: 94, weightGrams: 400, options: { Capacity: '750 ml' } },
      { name: '1 L', sku: 'BTL-INS-1000', price: '39.95', stock: 0, weightGrams: 480, options: { Capacity: '1 L' } },
    ],
  },
  {
    slug: 'two-person-backpacking-tent',
    categorySlug: 'sports-outdoors',
    name: 'Two-Person Backpacking Tent',
    description:
      'A freestanding tent that weighs under 1.6 kg and pitches in three minutes. ' +
      'Two doors and two vestibules mean nobody has to climb over anyone at night.',
    price: '289.00',
    stock: 14,
    weightGrams: 1550,
    specifications: {
      Capacity: '2 people',
      'Packed Weight': '1.55 kg',
      Seasons: '3-season',
      'Floor Area': '2.7 m²',
      Hydrostatic: '3000 mm fly',
    },
    images: ['two-person-backpacking-tent-1.svg', 'two-person-backpacking-tent-2.svg'],
  },
  {
    slug: 'trail-running-hydration-vest',
    categorySlug: 'sports-outdoors',
    name: 'Trail Running Hydration Vest',
    description:
      'A close-fitting 8-litre vest with two soft flasks on the chest and room for a jacket and snacks. ' + 'Stays put without bouncing on steep descents.',
    price: '84.99',
    stock: 43,
    weightGrams: 210,
    specifications: {
      Capacity: '8 L',
      Includes: '2 x 500 ml soft flasks',
      Weight: '210 g',
      Pockets: '9',
    },
    images: ['trail-running-hydration-vest-1.svg'],
  },
  {
    slug: 'match-football-size-5',
    categorySlug: 'sports-outdoors',
    name: 'Match Football (Size 5)',
    description:
      'A thermally bonded match ball with a textured surface for true flight and a good touch in the wet. ' + 'Suitable for grass and artificial turf.',
    price: '34.99',
    stock: 99,
    weightGrams: 430,
    specifications: {
      Size: '5',
      Construction: 'Thermally bonded, 12 panels',
      Bladder: 'Butyl',
      Surface: 'Grass and artificial turf',
    },
    images: ['match-football-size-5-1.svg'],
  },
  {
    slug: 'carbon-fibre-trekking-poles',
    categorySlug: 'sports-outdoors',
    name: 'Carbon Fibre Trekking Poles',
    description:
      'Three-section folding poles in carbon fibre that weigh 240 g each and pack down to 38 cm. ' + 'Cork grips stay comfortable when your hands get sweaty.',
    price: '119.00',
    stock: 28,
    weightGrams: 480,
    specifications: {
      Material: 'Carbon fibre',
      Length: '110 to 130 cm',
      'Packed Length': '38 cm',
      Weight: '240 g per pole',
      Grips: 'Cork',
    },
    images: ['carbon-fibre-trekking-poles-1.svg', 'carbon-fibre-trekking-poles-2.svg'],
  },
  {
    slug: 'resistance-bands-set',
    categorySlug: 'sports-outdoors',
    name: 'Resistance Bands Set',
    description:
      'Five latex bands from extra light to extra heavy, with handles, ankle straps and a door anchor. ' + 'A complete home gym that fits in a drawer.',
    price: '24.99',
    stock: 181,
    weightGrams: 600,
    specifications: {
      Bands: '5 (5 to 25 kg)',
      Material: 'Natural latex',
      Includes: 'Handles, ankle straps, door anchor, bag',
      'Stackable Resistance': 'Up to 68 kg',
    },
    images: ['resistance-bands-set-1.svg'],
  },
  {
    slug: 'down-sleeping-bag',
    categorySlug: 'sports-outdoors',
    name: 'Down Sleeping Bag (-5 °C)',
    description: 'A mummy-shaped bag filled with responsibly sourced 650-fill duck down, comfortable to -5 °C. ' + 'Compresses to the size of a loaf of bread.',
    price: '229.00',
    stock: 0,
    weightGrams: 1050,
    specifications: {
      'Comfort Rating': '-5 °C',
      Fill: '650 FP duck down',
      Weight: '1.05 kg',
      'Packed Size': '18 x 30 cm',
    },
    images: ['down-sleeping-bag-1.svg', 'down-sleeping-bag-2.svg'],
  },
  {
    slug: 'ventilated-road-bike-helmet',
    categorySlug: 'sports-outdoors',
    name: 'Ventilated Road Bike Helmet',
    description:
      'A lightweight road helmet with 18 vents and an internal rotational-impact liner. ' + 'The dial fit system adjusts with one hand while riding.',
    price: '94.50',
    stock: 45,
    weightGrams: 265,
    specifications: {
      Vents: '18',
      Weight: '265 g',
      Safety: 'EN 1078, rotational-impact liner',
      Fit: 'Dial adjustment',
    },
    images: ['ventilated-road-bike-helmet-1.svg', 'ventilated-road-bike-helmet-2.svg'],
    variants: [
      { name: 'S/M (52-58 cm)', sku: 'HLM-ROAD-SM', price: null, stock: 19, options: { Size: 'S/M' } },
      { name: 'M/L (56-62 cm)', sku: 'HLM-ROAD-ML', price: null, stock: 26, weightGrams: 290, options: { Size: 'M/L' } },
    ],
  },

  // ── Beauty & Personal Care ──────────────────────────────────────────────────────────────────
  {
    slug: 'hyaluronic-acid-hydrating-serum',
    categorySlug: 'beauty',
    name: 'Hyaluronic Acid Hydrating Serum',
    description:
      'A lightweight serum with three molecular weights of hyaluronic acid that plumps and hydrates without stickiness. ' +
      'Fragrance-free and suitable for sensitive skin.',
    price: '28.00',
    stock: 164,
    weightGrams: 90,
    specifications: {
      Volume: '30 ml',
      'Key Ingredients': 'Hyaluronic acid 2%, panthenol',
      'Skin Type': 'All, including sensitive',
      Fragrance: 'None',
    },
    images: ['hyaluronic-acid-hydrating-serum-1.svg', 'hyaluronic-acid-hydrating-serum-2.svg'],
  },
  {
    slug: 'mineral-sunscreen-spf-50',
    categorySlug: 'beauty',
    name: 'Mineral Sunscreen SPF 50',
    description:
      'A broad-spectrum zinc oxide sunscreen that rubs in without a white cast. ' +
      'Water-resistant for 40 minutes and gentle enough for daily use on the face.',
    price: '19.99',
    stock: 203,
    weightGrams: 80,
    specifications: {
      Volume: '50 ml',
      Protection: 'SPF 50, broad spectrum',
      Filter: 'Zinc oxide',
      'Water Resistance': '40 minutes',
    },
    images: ['mineral-sunscreen-spf-50-1.svg'],
  },
  {
    slug: 'bamboo-paddle-hair-brush',
    categorySlug: 'beauty',
    name: 'Bamboo Paddle Hair Brush',
    description: 'A wide paddle brush with a bamboo body and rounded bamboo pins that detangle gently and massage the scalp. ' + 'Works on wet and dry hair.',
    price: '15.50',
    stock: 117,
    weightGrams: 120,
    specifications: {
      Material: 'Bamboo, natural rubber cushion',
      Pins: 'Bamboo, rounded tips',
      Length: '24 cm',
      'Hair Type': 'All',
    },
    images: ['bamboo-paddle-hair-brush-1.svg'],
  },
  {
    slug: 'aluminium-free-natural-deodorant',
    categorySlug: 'beauty',
    name: 'Aluminium-Free Natural Deodorant',
    description:
      'A baking-soda-free deodorant stick with arrowroot and coconut oil that keeps you fresh all day. ' + 'Scented with bergamot and lime essential oils.',
    price: '11.95',
    stock: 163,
    weightGrams: 75,
    specifications: {
      Weight: '75 g',
      'Key Ingredients': 'Arrowroot, coconut oil, magnesium',
      Scent: 'Bergamot and lime',
      Packaging: 'Recyclable paper tube',
    },
    images: ['aluminium-free-natural-deodorant-1.svg'],
  },
  {
    slug: 'beard-grooming-kit',
    categorySlug: 'beauty',
    name: 'Beard Grooming Kit',
    description: 'Everything for a well-kept beard: cedarwood beard oil, a shaping balm, a boar-bristle brush and a wooden comb. ' + 'Packed in a gift box.',
    price: '42.00',
    stock: 52,
    weightGrams: 400,
    specifications: {
      Includes: 'Oil 30 ml, balm 60 g, brush, comb',
      Scent: 'Cedarwood and vetiver',
      Brush: 'Boar bristle',
      Comb: 'Sandalwood',
    },
    images: ['beard-grooming-kit-1.svg', 'beard-grooming-kit-2.svg'],
  },
  {
    slug: 'rechargeable-sonic-toothbrush',
    categorySlug: 'beauty',
    name: 'Rechargeable Sonic Toothbrush',
    description:
      'A sonic toothbrush with three cleaning modes, a two-minute timer and a pressure sensor that warns when you brush too hard. ' +
      'One charge lasts a month.',
    price: '64.99',
    stock: 75,
    weightGrams: 150,
    specifications: {
      Modes: 'Clean, sensitive, whiten',
      'Battery Life': '30 days',
      Timer: '2 minutes, 30 s intervals',
      Includes: '2 brush heads, travel case',
    },
    images: ['rechargeable-sonic-toothbrush-1.svg', 'rechargeable-sonic-toothbrush-2.svg'],
  },
  {
    slug: 'shea-butter-hand-cream',
    categorySlug: 'beauty',
    name: 'Shea Butter Hand Cream',
    description: 'A rich but fast-absorbing hand cream with 20% shea butter for dry, work-worn hands. ' + 'The pocket-sized tube fits in any bag.',
    price: '6.50',
    stock: 230,
    weightGrams: 100,
    specifications: {
      Volume: '75 ml',
      'Key Ingredients': 'Shea butter 20%, glycerin',
      Scent: 'Light almond',
      'Skin Type': 'Dry',
    },
    images: ['shea-butter-hand-cream-1.svg'],
  },
  {
    slug: 'ionic-hair-dryer',
    categorySlug: 'beauty',
    name: 'Ionic Hair Dryer',
    description:
      'A powerful 2000 W dryer with ionic technology that cuts drying time and reduces frizz. ' +
      'Three heat settings, a cool shot and a slim concentrator nozzle.',
    price: '129.00',
    stock: 33,
    weightGrams: 550,
    specifications: {
      Power: '2000 W',
      Settings: '3 heat, 2 speed, cool shot',
      'Cable Length': '2.5 m',
      Includes: 'Concentrator, diffuser',
    },
    images: ['ionic-hair-dryer-1.svg', 'ionic-hair-dryer-2.svg'],
  },
  {
    slug: 'vitamin-c-brightening-moisturiser',
    categorySlug: 'beauty',
    name: 'Vitamin C Brightening Moisturiser',
    description:
      'A daily moisturiser with stable vitamin C and niacinamide that evens out skin tone over a few weeks. ' +
      'Light enough to wear under sunscreen and make-up.',
    price: '34.00',
    stock: 85,
    weightGrams: 120,
    specifications: {
      'Key Ingredients': 'Vitamin C 10%, niacinamide 4%',
      'Skin Type': 'Normal to combination',
      Texture: 'Gel-cream',
      Fragrance: 'None',
    },
    images: ['vitamin-c-brightening-moisturiser-1.svg', 'vitamin-c-brightening-moisturiser-2.svg'],
    variants: [
      { name: '50 ml', sku: 'VTC-MOIST-50', price: null, stock: 61, options: { Volume: '50 ml' } },
      { name: '100 ml', sku: 'VTC-MOIST-100', price: '54.00', stock: 24, weightGrams: 200, options: { Volume: '100 ml' } },
    ],
  },
  {
    slug: 'kaolin-clay-face-mask',
    categorySlug: 'beauty',
    name: 'Kaolin Clay Face Mask',
    description: 'A gentle white clay mask that draws out oil and refines pores in ten minutes. ' + 'Aloe and oat extract soothe the skin as it dries.',
    price: '21.00',
    stock: 98,
    weightGrams: 150,
    specifications: {
      Volume: '100 ml',
      'Key Ingredients': 'Kaolin, aloe vera, oat extract',
      'Skin Type': 'Oily and combination',
      Use: '1-2 times a week',
    },
    images: ['kaolin-clay-face-mask-1.svg'],
  },

  // ── Toys & Games ────────────────────────────────────────────────────────────────────────────
  {
    slug: 'wooden-building-blocks-100-pieces',
    categorySlug: 'toys-games',
    name: 'Wooden Building Blocks (100 Pieces)',
    description:
      'One hundred smooth beech blocks in arches, cylinders, triangles and planks, finished in water-based paints. ' + 'Packed in a sturdy drawstring bag.',
    price: '39.99',
    stock: 84,
    weightGrams: 1800,
    specifications: {
      Pieces: '100',
      Material: 'Solid beech wood',
      Finish: 'Water-based, non-toxic paint',
      Ages: '2+',
    },
    images: ['wooden-building-blocks-100-pieces-1.svg', 'wooden-building-blocks-100-pieces-2.svg'],
  },
  {
    slug: 'island-settlers-strategy-board-game',
    categorySlug: 'toys-games',
    name: 'Island Settlers Strategy Board Game',
    description:
      'Trade timber, wool and stone to build roads and villages on a different island every game. ' +
      'Easy to learn, with enough strategy to keep adults coming back.',
    price: '44.00',
    stock: 61,
    weightGrams: 1500,
    specifications: {
      Players: '3-4',
      'Playing Time': '60-90 minutes',
      Ages: '10+',
      Contents: 'Modular board, 95 cards, 120 pieces',
    },
    images: ['island-settlers-strategy-board-game-1.svg', 'island-settlers-strategy-board-game-2.svg'],
  },
  {
    slug: 'alpine-lake-1000-piece-jigsaw-puzzle',
    categorySlug: 'toys-games',
    name: 'Alpine Lake 1000-Piece Jigsaw Puzzle',
    description:
      'A tranquil mountain lake at sunrise, printed on thick recycled board with a linen finish that reduces glare. ' + 'Every piece is uniquely shaped.',
    price: '19.99',
    stock: 112,
    weightGrams: 700,
    specifications: {
      Pieces: '1000',
      'Finished Size': '70 x 50 cm',
      Material: 'Recycled board',
      Ages: '12+',
    },
    images: ['alpine-lake-1000-piece-jigsaw-puzzle-1.svg'],
  },
  {
    slug: 'remote-control-stunt-car',
    categorySlug: 'toys-games',
    name: 'Remote Control Stunt Car',
    description:
      'A double-sided stunt car that flips, spins 360 degrees and keeps driving upside down. ' + 'The rechargeable battery gives 25 minutes of play.',
    price: '54.95',
    stock: 60,
    weightGrams: 600,
    specifications: {
      Range: '50 m',
      'Battery Life': '25 minutes',
      Charging: 'USB-C, 60 minutes',
      Ages: '6+',
    },
    images: ['remote-control-stunt-car-1.svg', 'remote-control-stunt-car-2.svg'],
    variants: [
      { name: 'Red', sku: 'RCC-STN-RED', price: null, stock: 33, options: { Colour: 'Red' } },
      { name: 'Blue', sku: 'RCC-STN-BLU', price: null, stock: 27, options: { Colour: 'Blue' } },
    ],
  },
  {
    slug: 'soft-plush-teddy-bear',
    categorySlug: 'toys-games',
    name: 'Soft Plush Teddy Bear',
    description:
      'A huggable teddy bear in super-soft plush with embroidered eyes, safe from birth. ' + 'Machine washable for when it inevitably ends up in the mud.',
    price: '24.50',
    stock: 80,
    weightGrams: 200,
    specifications: {
      Material: 'Polyester plush, recycled fibre fill',
      Eyes: 'Embroidered',
      Safety: 'EN 71, suitable from birth',
      Care: 'Machine wash 30 °C',
    },
    images: ['soft-plush-teddy-bear-1.svg', 'soft-plush-teddy-bear-2.svg', 'soft-plush-teddy-bear-3.svg'],
    variants: [
      { name: 'Small (30 cm)', sku: 'TED-PLU-S', price: null, stock: 58, options: { Size: '30 cm' } },
      { name: 'Large (50 cm)', sku: 'TED-PLU-L', price: '39.50', stock: 22, weightGrams: 450, options: { Size: '50 cm' } },
    ],
  },
  {
    slug: 'magnetic-building-tiles-60-pieces',
    categorySlug: 'toys-games',
    name: 'Magnetic Building Tiles (60 Pieces)',
    description:
      'Translucent magnetic tiles in squares and triangles that click together into towers, houses and rockets. ' + 'Light shines through in bright colours.',
    price: '64.99',
    stock: 39,
    weightGrams: 1400,
    specifications: {
      Pieces: '60',
      Shapes: 'Squares, triangles',
      Magnets: 'Sealed, riveted',
      Ages: '3+',
    },
    images: ['magnetic-building-tiles-60-pieces-1.svg'],
  },
  {
    slug: 'crystal-growing-science-kit',
    categorySlug: 'toys-games',
    name: "Kids' Crystal Growing Science Kit",
    description:
      'Grow seven sparkling crystals in a week and learn how they form with an illustrated experiment guide. ' +
      'Includes a display case for the finished crystals.',
    price: '27.99',
    stock: 71,
    weightGrams: 800,
    specifications: {
      Experiments: '7',
      Includes: 'Crystal powders, seeds, cups, display case',
      Ages: '8+',
      Supervision: 'Adult supervision required',
    },
    images: ['crystal-growing-science-kit-1.svg'],
  },
  {
    slug: 'quick-draw-family-card-game',
    categorySlug: 'toys-games',
    name: 'Quick-Draw Family Card Game',
    description:
      'A fast matching game where everyone plays at once and the quickest eye wins the round. ' + 'Games take ten minutes and the tin fits in a pocket.',
    price: '12.99',
    stock: 198,
    weightGrams: 150,
    specifications: {
      Players: '2-8',
      'Playing Time': '10 minutes',
      Ages: '6+',
      Contents: '55 cards in a tin',
    },
    images: ['quick-draw-family-card-game-1.svg'],
  },
  {
    slug: 'wooden-railway-train-set',
    categorySlug: 'toys-games',
    name: 'Wooden Railway Train Set',
    description:
      'Forty pieces of beech track with a bridge, a tunnel and a magnetic train with three carriages. ' + 'Compatible with most wooden railway systems.',
    price: '79.00',
    stock: 25,
    weightGrams: 2500,
    specifications: {
      Pieces: '40',
      Material: 'Beech wood',
      'Layout Size': '90 x 60 cm',
      Ages: '3+',
    },
    images: ['wooden-railway-train-set-1.svg', 'wooden-railway-train-set-2.svg'],
  },
  {
    slug: '3x3-speed-cube',
    categorySlug: 'toys-games',
    name: '3x3 Speed Cube',
    description: 'A smooth, stickerless 3x3 puzzle cube with adjustable tension and corner-cutting for fast solves. ' + 'Comes with a beginner solution guide.',
    price: '8.99',
    stock: 247,
    weightGrams: 80,
    specifications: {
      Size: '56 mm',
      Type: 'Stickerless',
      Tension: 'Adjustable',
      Ages: '8+',
    },
    images: ['3x3-speed-cube-1.svg'],
  },

  // ── Office ──────────────────────────────────────────────────────────────────────────────────
  {
    slug: 'ergonomic-mesh-office-chair',
    categorySlug: 'office',
    name: 'Ergonomic Mesh Office Chair',
    description:
      'A breathable mesh chair with adjustable lumbar support, 4D armrests and a synchronised tilt mechanism. ' +
      'Designed for eight-hour days and tested to 150 kg.',
    price: '389.00',
    stock: 34,
    weightGrams: 15000,
    specifications: {
      Material: 'Mesh back, fabric seat, aluminium base',
      Adjustments: 'Height, depth, lumbar, 4D armrests, tilt',
      'Max Load': '150 kg',
      'Seat Height': '44 to 54 cm',
      Warranty: '5 years',
    },
    images: ['ergonomic-mesh-office-chair-1.svg', 'ergonomic-mesh-office-chair-2.svg', 'ergonomic-mesh-office-chair-3.svg'],
    variants: [
      { name: 'Black', sku: 'CHR-ERG-BLK', price: null, stock: 21, options: { Colour: 'Black' } },
      { name: 'Light Grey', sku: 'CHR-ERG-GRY', price: null, stock: 13, options: { Colour: 'Light Grey' } },
    ],
  },
  {
    slug: 'electric-standing-desk',
    categorySlug: 'office',
    name: 'Electric Standing Desk',
    description:
      'A dual-motor sit-stand desk that moves smoothly from 62 to 127 cm with four memory presets. ' +
      'Anti-collision sensing stops it if it meets an obstacle.',
    price: '549.00',
    stock: 16,
    weightGrams: 28000,
    specifications: {
      'Height Range': '62 to 127 cm',
      Motors: 'Dual',
      'Max Load': '120 kg',
      Presets: '4 memory positions',
      Top: 'Oak veneer',
    },
    images: ['electric-standing-desk-1.svg', 'electric-standing-desk-2.svg'],
    variants: [
      { name: '120 x 60 cm', sku: 'DSK-ELC-120', price: null, stock: 9, options: { 'Top Size': '120 x 60 cm' } },
      { name: '160 x 80 cm', sku: 'DSK-ELC-160', price: '649.00', stock: 7, weightGrams: 34000, options: { 'Top Size': '160 x 80 cm' } },
    ],
  },
  {
    slug: 'a5-dotted-hardcover-notebook',
    categorySlug: 'office',
    name: 'A5 Dotted Hardcover Notebook',
    description:
      'A lay-flat A5 notebook with 192 numbered pages of 100 g/m² dotted paper that resists fountain-pen bleed. ' +
      'Includes an index, two ribbon markers and a back pocket.',
    price: '14.50',
    stock: 206,
    weightGrams: 350,
    specifications: {
      Size: 'A5 (14.8 x 21 cm)',
      Pages: '192, numbered',
      Paper: '100 g/m², dotted 5 mm',
      Binding: 'Thread-sewn, lay-flat',
    },
    images: ['a5-dotted-hardcover-notebook-1.svg', 'a5-dotted-hardcover-notebook-2.svg'],
  },
  {
    slug: 'fine-point-gel-pens-12-pack',
    categorySlug: 'office',
    name: 'Fine-Point Gel Pens (12-Pack)',
    description: 'Twelve quick-drying 0.5 mm gel pens in assorted colours with comfortable rubber grips. ' + 'Smudge-resistant ink for left-handed writers.',
    price: '5.99',
    stock: 224,
    weightGrams: 150,
    specifications: {
      'Tip Size': '0.5 mm',
      Ink: 'Quick-dry gel',
      Colours: '12 assorted',
      Refillable: 'No',
    },
    images: ['fine-point-gel-pens-12-pack-1.svg'],
  },
  {
    slug: 'dimmable-led-desk-lamp',
    categorySlug: 'office',
    name: 'Dimmable LED Desk Lamp',
    description:
      'An aluminium desk lamp with a flicker-free LED bar, five colour temperatures and stepless dimming. ' + 'A USB-C port in the base charges your phone.',
    price: '59.00',
    stock: 72,
    weightGrams: 900,
    specifications: {
      Material: 'Aluminium',
      'Colour Temperature': '2700 to 6500 K',
      Brightness: '800 lm, stepless dimming',
      Power: '12 W',
      Extras: 'USB-C charging port',
    },
    images: ['dimmable-led-desk-lamp-1.svg', 'dimmable-led-desk-lamp-2.svg'],
  },
  {
    slug: 'bamboo-monitor-riser-stand',
    categorySlug: 'office',
    name: 'Bamboo Monitor Riser Stand',
    description: 'Lifts your screen 10 cm to eye level and frees up space underneath for a keyboard or notebooks. ' + 'Supports up to 20 kg.',
    price: '36.99',
    stock: 58,
    weightGrams: 2200,
    specifications: {
      Material: 'Bamboo',
      Dimensions: '55 x 22 x 10 cm',
      'Max Load': '20 kg',
      Assembly: 'Tool-free',
    },
    images: ['bamboo-monitor-riser-stand-1.svg'],
  },
  {
    slug: 'wireless-ergonomic-vertical-mouse',
    categorySlug: 'office',
    name: 'Wireless Ergonomic Vertical Mouse',
    description:
      'A vertical mouse that holds your hand in a relaxed handshake position to ease wrist strain. ' +
      'Connects over Bluetooth or a USB receiver and runs for months on one charge.',
    price: '39.95',
    stock: 131,
    weightGrams: 110,
    specifications: {
      Connectivity: 'Bluetooth, 2.4 GHz USB receiver',
      DPI: '800 / 1600 / 2400',
      Battery: 'Rechargeable, up to 3 months',
      Buttons: '6',
    },
    images: ['wireless-ergonomic-vertical-mouse-1.svg', 'wireless-ergonomic-vertical-mouse-2.svg'],
  },
  {
    slug: 'felt-desk-organiser',
    categorySlug: 'office',
    name: 'Felt Desk Organiser',
    description:
      'A wool-felt organiser with compartments for pens, cards, a phone and a notebook. ' + 'Soft edges protect your desk and the felt muffles clatter.',
    price: '24.00',
    stock: 89,
    weightGrams: 300,
    specifications: {
      Material: 'Wool felt',
      Dimensions: '30 x 12 x 10 cm',
      Compartments: '5',
      Colour: 'Heather grey',
    },
    images: ['felt-desk-organiser-1.svg'],
  },
  {
    slug: 'cross-cut-paper-shredder',
    categorySlug: 'office',
    name: 'Cross-Cut Paper Shredder',
    description:
      'Shreds 10 sheets at a time into confetti-sized pieces, along with staples and credit cards. ' +
      'Runs for 20 minutes without a break and the 20-litre bin pulls out for easy emptying.',
    price: '119.99',
    stock: 19,
    weightGrams: 4500,
    specifications: {
      'Sheet Capacity': '10 sheets',
      'Security Level': 'P-4 cross-cut',
      'Bin Capacity': '20 L',
      'Run Time': '20 minutes',
    },
    images: ['cross-cut-paper-shredder-1.svg'],
  },
  {
    slug: 'magnetic-glass-whiteboard',
    categorySlug: 'office',
    name: 'Magnetic Glass Whiteboard (90 x 60 cm)',
    description:
      'A frameless tempered glass whiteboard that never stains or ghosts, even after months of use. ' +
      'Magnets hold notes in place, and four markers and an eraser are included.',
    price: '149.00',
    stock: 22,
    weightGrams: 9000,
    specifications: {
      Dimensions: '90 x 60 cm',
      Surface: 'Tempered glass, magnetic',
      Mounting: 'Hidden wall fixings',
      Includes: '4 markers, eraser, 6 magnets',
    },
    images: ['magnetic-glass-whiteboard-1.svg', 'magnetic-glass-whiteboard-2.svg'],
  },
];
