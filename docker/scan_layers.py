"""Fail if a secret file is inside any layer of an image (`docker save` on stdin).

Usage: docker save IMAGE | python3 docker/scan_layers.py BUNDLE [CA_DIR]

docker/ci-build.sh passes the host's CA bundle to pip as a BuildKit secret;
this proves it never landed in a layer, deleted later or not: no file in any
layer has the bundle's exact content, and none holds a certificate from
CA_DIR (where a locally added CA, such as an intercepting proxy's, lives).
Standard library only: it runs on the host's python3, outside the project venv.
"""
import hashlib
import os
import sys
import tarfile

SMALL = 4 * 1024 * 1024  # certificates live in small files; big ones are libraries


def cert_markers(ca_dir):
    """One distinctive base64 line from each certificate under ``ca_dir``."""
    markers = {}
    for root, _, names in os.walk(ca_dir):
        for name in names:
            path = os.path.join(root, name)
            with open(path, "rb") as handle:
                lines = [line.strip() for line in handle.read().splitlines()]
            body = [line for line in lines if line and not line.startswith(b"-----")]
            if len(body) > 3:
                markers[body[2]] = path
    return markers


def scan(stream, bundle_path, ca_dir=None):
    with open(bundle_path, "rb") as handle:
        bundle = handle.read()
    digest = hashlib.sha256(bundle).hexdigest()
    markers = cert_markers(ca_dir) if ca_dir else {}
    found, layers, files = [], 0, 0
    with tarfile.open(fileobj=stream, mode="r|") as image:
        for member in image:
            if not member.isfile():
                continue
            # docker save: <id>/layer.tar (legacy) or blobs/sha256/<digest> (OCI).
            if not (member.name.endswith("layer.tar") or member.name.startswith("blobs/")):
                continue
            try:
                layer = tarfile.open(fileobj=image.extractfile(member), mode="r|*")
            except tarfile.TarError:
                continue  # a JSON config or manifest blob, not a layer
            layers += 1
            with layer:
                for entry in layer:
                    if not entry.isfile() or entry.size > SMALL:
                        continue
                    files += 1
                    data = layer.extractfile(entry).read()
                    if entry.size == len(bundle) and hashlib.sha256(data).hexdigest() == digest:
                        found.append("%s: %s is the host CA bundle" % (member.name, entry.name))
                    for marker, source in markers.items():
                        if marker in data:
                            found.append("%s: %s holds the certificate of %s" % (member.name, entry.name, source))
    return found, layers, files


def main(argv):
    if len(argv) not in (2, 3):
        sys.exit(__doc__)
    found, layers, files = scan(sys.stdin.buffer, argv[1], argv[2] if len(argv) == 3 else None)
    for line in found:
        print("scan_layers: " + line, file=sys.stderr)
    if layers == 0:
        print("scan_layers: no layer found in the input (not a docker save stream?)", file=sys.stderr)
        return 1
    print("scan_layers: %d layers, %d small files: %s" % (layers, files, "LEAKED" if found else "no CA from the host"))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
