import { story as kitStory } from "../../kit/story.js";
import { SECRETS } from "./service.js";

export { at, T0, type Step } from "../../kit/story.js";

/** The story of kit/story.ts signed with the secrets the tests' services verify with. */
export const story = (ns: string) =>
  kitStory(ns, {
    secrets: {
      github: SECRETS.github[0]!,
      slack: SECRETS.slack[0]!,
      linear: SECRETS.linear[0]!,
      deploy: SECRETS.deploy[0]!,
    },
  });
