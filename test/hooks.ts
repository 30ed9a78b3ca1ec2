// Root hooks of the unit suite (.mocharc.json requires this file).
import { removeTempDirs } from "./helpers";

export const mochaHooks = {
  afterAll(): void {
    removeTempDirs();
  },
};
