/** The demo shop's category tree and the words its product names are made of. */

export type CategorySpec = { name: string; children?: CategorySpec[] };

export const CATEGORY_TREE: CategorySpec[] = [
  {
    name: 'Electronics',
    children: [
      { name: 'Phones', children: [{ name: 'Smartphones' }, { name: 'Phone Cases' }, { name: 'Chargers' }] },
      { name: 'Laptops', children: [{ name: 'Ultrabooks' }, { name: 'Gaming Laptops' }] },
      { name: 'Audio', children: [{ name: 'Headphones' }, { name: 'Speakers' }, { name: 'Earbuds' }] },
      { name: 'Cameras' },
      { name: 'Wearables' },
    ],
  },
  {
    name: 'Home & Kitchen',
    children: [
      { name: 'Cookware', children: [{ name: 'Pans' }, { name: 'Knives' }] },
      { name: 'Furniture', children: [{ name: 'Chairs' }, { name: 'Desks' }, { name: 'Shelves' }] },
      { name: 'Bedding' },
      { name: 'Lighting' },
    ],
  },
  {
    name: 'Fashion',
    children: [
      { name: 'Women', children: [{ name: 'Dresses' }, { name: 'Women\u2019s Shoes' }] },
      { name: 'Men', children: [{ name: 'Shirts' }, { name: 'Men\u2019s Shoes' }] },
      { name: 'Accessories', children: [{ name: 'Bags' }, { name: 'Watches' }] },
      { name: 'Kids' },
    ],
  },
  {
    name: 'Sports & Outdoors',
    children: [
      { name: 'Fitness', children: [{ name: 'Yoga' }, { name: 'Weights' }] },
      { name: 'Cycling' },
      { name: 'Camping', children: [{ name: 'Tents' }, { name: 'Sleeping Bags' }] },
    ],
  },
  {
    name: 'Books & Media',
    children: [
      { name: 'Fiction' },
      { name: 'Non-fiction', children: [{ name: 'Biographies' }, { name: 'Science' }] },
      { name: 'Music' },
      { name: 'Games' },
    ],
  },
];

export const ADJECTIVES = [
  'Aurora', 'Nimbus', 'Vertex', 'Summit', 'Lumen', 'Cobalt', 'Ember', 'Harbor', 'Pioneer', 'Atlas',
  'Nova', 'Sierra', 'Orbit', 'Coral', 'Granite', 'Willow', 'Falcon', 'Meridian', 'Solstice', 'Tundra',
  'Zephyr', 'Quartz', 'Maple', 'Onyx', 'Crescent', 'Drift', 'Echo', 'Flint', 'Glacier', 'Helix',
];

export const QUALITIES = [
  'Classic', 'Pro', 'Lite', 'Max', 'Plus', 'Mini', 'Eco', 'Ultra', 'Essential', 'Signature',
  'Compact', 'Deluxe', 'Sport', 'Travel', 'Studio',
];

export const COLORS = ['black', 'white', 'silver', 'navy', 'red', 'green', 'sand', 'graphite', 'rose', 'olive'];
export const BRANDS = ['Kestrel', 'Northwind', 'Halcyon', 'Brightline', 'Ironwood', 'Bluepeak', 'Oakridge', 'Solace'];
export const FIRST_NAMES = [
  'Anna', 'Ben', 'Chen', 'Dana', 'Elif', 'Farid', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Kira', 'Lena',
  'Mateo', 'Nora', 'Omar', 'Paula', 'Quinn', 'Rosa', 'Sami', 'Tara', 'Umar', 'Vera', 'Wei', 'Yara', 'Zoe',
];
export const LAST_NAMES = [
  'Schmidt', 'Garcia', 'Nguyen', 'Kowalski', 'Rossi', 'Dubois', 'Okafor', 'Tanaka', 'Silva', 'Novak',
  'Jensen', 'Haddad', 'Larsen', 'Moreau', 'Petrov', 'Ahmed', 'Fischer', 'Costa', 'Berg', 'Weber',
];

/** Median price per top-level category, so a laptop costs more than a paperback. */
export const MEDIAN_PRICE: Record<string, number> = {
  Electronics: 180,
  'Home & Kitchen': 60,
  Fashion: 45,
  'Sports & Outdoors': 55,
  'Books & Media': 18,
};

/** The noun a product of a leaf category is named after. */
export function nounFor(leaf: string): string {
  const nouns: Record<string, string> = {
    Smartphones: 'Smartphone', 'Phone Cases': 'Phone Case', Chargers: 'Charger', Ultrabooks: 'Ultrabook',
    'Gaming Laptops': 'Gaming Laptop', Headphones: 'Headphones', Speakers: 'Speaker', Earbuds: 'Earbuds',
    Cameras: 'Camera', Wearables: 'Smartwatch', Pans: 'Frying Pan', Knives: 'Chef Knife', Chairs: 'Chair',
    Desks: 'Desk', Shelves: 'Shelf', Bedding: 'Duvet Set', Lighting: 'Lamp', Dresses: 'Dress',
    'Women\u2019s Shoes': 'Sneakers', Shirts: 'Shirt', 'Men\u2019s Shoes': 'Boots', Bags: 'Backpack',
    Watches: 'Watch', Kids: 'Kids Jacket', Yoga: 'Yoga Mat', Weights: 'Dumbbell Set', Cycling: 'Bike Helmet',
    Tents: 'Tent', 'Sleeping Bags': 'Sleeping Bag', Fiction: 'Novel', Biographies: 'Biography',
    Science: 'Science Book', Music: 'Vinyl Record', Games: 'Board Game',
  };
  return nouns[leaf] ?? leaf;
}
