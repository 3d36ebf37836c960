import { describe, expect, it } from "vitest";
import { repositoryFromUrl } from "../../src/platforms/repository-url.js";

describe("repositoryFromUrl", () => {
  it("reads github.com in every spelling as owner/name, lower-case", () => {
    for (const url of [
      "https://github.com/Acme/Web",
      "https://github.com/Acme/Web.git",
      "https://github.com/Acme/Web/",
      "git@github.com:Acme/Web.git",
      "ssh://git@github.com/Acme/Web.git",
      "http://www.github.com/acme/web",
    ]) {
      expect(repositoryFromUrl(url), url).toBe("acme/web");
    }
  });

  it("reads gitlab.com, or any host said to be GitLab, as gitlab:group/project", () => {
    expect(repositoryFromUrl("git@gitlab.com:circleci/hello-world.git")).toBe("gitlab:circleci/hello-world");
    expect(repositoryFromUrl("https://gitlab.com/Acme/Infra/Apps")).toBe("gitlab:acme/infra/apps");
    expect(repositoryFromUrl("https://git.acme.io/team/app.git")).toBeNull();
    expect(repositoryFromUrl("https://git.acme.io/team/app.git", true)).toBe("gitlab:team/app");
  });

  it("bounds a GitLab id as the GitLab receiver does: 255 bytes with its prefix, 20 subgroups", () => {
    const path = `g/${"p".repeat(246)}`; // `gitlab:` + 248 = 255
    expect(repositoryFromUrl(`https://gitlab.com/${path}`)).toBe(`gitlab:${path}`);
    expect(repositoryFromUrl(`https://gitlab.com/${path}x`)).toBeNull();
    expect(repositoryFromUrl(`https://gitlab.com/${Array(22).fill("g").join("/")}`)).toBeNull();
  });

  it("knows no other host and no odd value", () => {
    for (const url of [
      "https://bitbucket.org/acme/web",
      "https://charts.example.com",
      "https://github.com/acme",
      "https://github.com/acme/web/tree/main",
      "file:///github.com/acme/web",
      "<no value>",
      "",
      42,
      null,
      `https://github.com/acme/${"w".repeat(3000)}`,
    ]) {
      expect(repositoryFromUrl(url), String(url)).toBeNull();
    }
  });
});
