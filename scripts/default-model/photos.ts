/**
 * Which of Debian's mate-backgrounds photos (GPL-2+) the default model is trained on and which are held out
 * for its model card. Paths are relative to the package's usr/share/backgrounds/mate folder.
 */

/** Photos of mate-backgrounds used for training (Elephants is a painting with rich texture). */
export const TRAIN_PHOTOS = [
  'nature/Aqua.jpg',
  'nature/Blinds.jpg',
  'nature/FreshFlower.jpg',
  'nature/Garden.jpg',
  'nature/GreenMeadow.jpg',
  'nature/Storm.jpg',
  'nature/TwoWings.jpg',
  'nature/Wood.jpg',
  'abstract/Elephants_5640x3172.jpg',
];
/** Held out for the model card's numbers; Dune, LadyBird and RainDrops are also the test fixtures' photos. */
export const HELDOUT_PHOTOS = ['nature/Dune.jpg', 'nature/LadyBird.jpg', 'nature/RainDrops.jpg', 'nature/YellowFlower.jpg'];
