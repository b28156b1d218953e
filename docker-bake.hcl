# Images of every deployable, built from the repo root with Docker Buildx Bake (no Docker on dev machines
# here: images are built elsewhere, e.g. CI or a laptop with Docker):
#   docker buildx bake                      # all images, tagged :latest
#   TAG=v1.0.0 docker buildx bake app       # one image, tagged :v1.0.0 and :latest (as in the seed)
#   REGISTRY=ghcr.io/acme/ TAG=v1.0.0 docker buildx bake --push
# Then, for kind: kind load docker-image app:latest (the Deployments use imagePullPolicy IfNotPresent).
# Without Docker: `npm run images` builds the same targets from the same Dockerfiles with buildah, into the
# local image store the local cluster's image runtime runs them from (`npm run demo -- --images`).
# Checked without Docker by scripts/check-images.test.ts.

variable "TAG" {
  default = "latest"
}

variable "REGISTRY" {
  default = ""
}

# Recorded in the images' OCI labels: the commit they were built from and where its source lives.
variable "REVISION" {
  default = ""
}

variable "SOURCE" {
  default = ""
}

group "default" {
  targets = ["app", "legacy-mock", "agesecret-operator", "legacy-handshake-operator"]
}

# Shared settings: every image builds from the whole repo (npm workspaces need the root lockfile).
target "_common" {
  context = "."
  labels = {
    "org.opencontainers.image.vendor" = "capstan"
    "org.opencontainers.image.licenses" = "Apache-2.0"
    "org.opencontainers.image.version" = "${TAG}"
    "org.opencontainers.image.revision" = "${REVISION}"
    "org.opencontainers.image.source" = "${SOURCE}"
  }
}

target "app" {
  inherits = ["_common"]
  dockerfile = "apps/numbers/Dockerfile"
  tags = ["${REGISTRY}app:${TAG}", "${REGISTRY}app:latest"]
  labels = {
    "org.opencontainers.image.title" = "app"
    "org.opencontainers.image.description" = "numbers: the Macrodata Refinement web app showing a mounted secret"
  }
}

target "legacy-mock" {
  inherits = ["_common"]
  dockerfile = "apps/legacy-mock/Dockerfile"
  tags = ["${REGISTRY}legacy-mock:${TAG}", "${REGISTRY}legacy-mock:latest"]
  labels = {
    "org.opencontainers.image.title" = "legacy-mock"
    "org.opencontainers.image.description" = "mock legacy app that serves only after a secret handshake"
  }
}

target "agesecret-operator" {
  inherits = ["_common"]
  dockerfile = "operators/agesecret/Dockerfile"
  tags = ["${REGISTRY}agesecret-operator:${TAG}", "${REGISTRY}agesecret-operator:latest"]
  labels = {
    "org.opencontainers.image.title" = "agesecret-operator"
    "org.opencontainers.image.description" = "AgeSecret operator: age-encrypted secrets from git to native Secrets"
  }
}

target "legacy-handshake-operator" {
  inherits = ["_common"]
  dockerfile = "operators/legacy-handshake/Dockerfile"
  tags = ["${REGISTRY}legacy-handshake-operator:${TAG}", "${REGISTRY}legacy-handshake-operator:latest"]
  labels = {
    "org.opencontainers.image.title" = "legacy-handshake-operator"
    "org.opencontainers.image.description" = "operator performing the legacy secret handshake on labelled pods"
  }
}
