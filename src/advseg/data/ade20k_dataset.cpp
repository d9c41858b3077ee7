#include "advseg/data/ade20k_dataset.h"

#include <cstddef>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "advseg/io/file_bytes.h"
#include "advseg/io/palette.h"

namespace advseg {

namespace fs = std::filesystem;

namespace {

// The 150 names of objectInfo150 in the Scene Parsing devkit, in class order.
constexpr const char* kClassNames =
    "wall;building;sky;floor;tree;ceiling;road;bed;windowpane;grass;cabinet;sidewalk;person;earth;"
    "door;table;mountain;plant;curtain;chair;car;water;painting;sofa;shelf;house;sea;mirror;rug;"
    "field;armchair;seat;fence;desk;rock;wardrobe;lamp;bathtub;railing;cushion;base;box;column;"
    "signboard;chest of drawers;counter;sand;sink;skyscraper;fireplace;refrigerator;grandstand;path;"
    "stairs;runway;case;pool table;pillow;screen door;stairway;river;bridge;bookcase;blind;"
    "coffee table;toilet;flower;book;hill;bench;countertop;stove;palm;kitchen island;computer;"
    "swivel chair;boat;bar;arcade machine;hovel;bus;towel;light;truck;tower;chandelier;awning;"
    "streetlight;booth;television receiver;airplane;dirt track;apparel;pole;land;bannister;"
    "escalator;ottoman;bottle;buffet;poster;stage;van;ship;fountain;conveyer belt;canopy;washer;"
    "plaything;swimming pool;stool;barrel;basket;waterfall;tent;bag;minibike;cradle;oven;ball;food;"
    "step;tank;trade name;microwave;pot;animal;bicycle;lake;dishwasher;screen;blanket;sculpture;"
    "hood;sconce;vase;traffic light;tray;ashcan;fan;pier;crt screen;plate;monitor;bulletin board;"
    "shower;radiator;glass;clock;flag";

std::vector<std::string> split_at_semicolons(const std::string& names) {
  std::vector<std::string> split;
  for (std::size_t start = 0, end = 0; end != std::string::npos; start = end + 1) {
    end = names.find(';', start);
    split.push_back(names.substr(start, end - start));
  }
  return split;
}

}  // namespace

DatasetInfo Ade20kDataset::describe(int ignore_index) {
  return make_dataset_info(ignore_index, split_at_semicolons(kClassNames), default_palette(kNumClasses));
}

LabelValueMap Ade20kDataset::label_map(int ignore_index) {
  return LabelValueMap("0 (void) or 1-150 (classes)").set(0, ignore_index).shift(1, kNumClasses, -1);
}

std::string Ade20kDataset::split_folder(const std::string& split) {
  require_split_name(split, "ade20k", {"train", "val", "training", "validation"});
  if (split == "train") return "training";
  if (split == "val") return "validation";
  return split;
}

namespace {

std::vector<SampleFiles> ade20k_samples(const DatasetFolderOptions& options) {
  const std::string folder = Ade20kDataset::split_folder(options.split);
  require_folder(options.root, "ADE20K dataset folder (ADEChallengeData2016)");
  const fs::path image_dir = options.root / "images" / folder;
  return existing_samples(folder_samples(image_dir, ".jpg", options.root / "annotations" / folder, ".png"),
                          image_dir);
}

}  // namespace

Ade20kDataset::Ade20kDataset(const DatasetFolderOptions& options)
    : IndexPngDataset(ade20k_samples(options), describe(options.ignore_index),
                      label_map(options.ignore_index), options.max_image_pixels) {}

}  // namespace advseg
