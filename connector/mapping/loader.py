"""Load mapping files: read, parse, check against ACE, compile; report every problem at once."""

from __future__ import annotations

from pathlib import Path

from connector.errors import MappingError, MappingErrors
from connector.mapping.checks import check_spec
from connector.mapping.compiler import CompiledMapping, compile_mapping
from connector.mapping.parse import parse_spec
from connector.mapping.yamlnodes import read_yaml

#: File names ``load_mappings`` reads from a mappings folder.
MAPPING_FILE_PATTERNS = ("*.yaml", "*.yml")


def check_mapping_text(text: str, *, file: str) -> tuple[CompiledMapping | None, list[MappingError]]:
    """The compiled mapping (None when it has problems) and every problem found in ``text``."""
    tree, errors = read_yaml(text, file=file)
    if tree is None:
        return None, errors
    spec, parse_errors = parse_spec(tree, file=file, source=text)
    errors += parse_errors
    if spec is None:
        return None, errors
    errors += check_spec(spec)
    if errors:
        return None, errors
    return compile_mapping(spec), []


def check_mapping_file(path: str | Path) -> tuple[CompiledMapping | None, list[MappingError]]:
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [MappingError("no such mapping file", file=file)]
    except UnicodeDecodeError as exc:
        return None, [MappingError(f"the file is not UTF-8 text (byte {exc.start})", file=file)]
    except OSError as exc:
        return None, [MappingError(f"cannot read the file: {exc.strerror}", file=file)]
    return check_mapping_text(text, file=file)


def check_mapping_dir(directory: str | Path) -> tuple[dict[str, CompiledMapping], list[MappingError]]:
    """Every mapping in ``directory`` by entity, and every problem found in any of them."""
    folder = Path(directory)
    if not folder.is_dir():
        return {}, [MappingError("the mappings folder does not exist", file=str(folder))]
    paths = sorted({path for pattern in MAPPING_FILE_PATTERNS for path in folder.glob(pattern)})
    if not paths:
        return {}, [MappingError("no mapping files (*.yaml) in the mappings folder", file=str(folder))]
    mappings: dict[str, CompiledMapping] = {}
    errors: list[MappingError] = []
    for path in paths:
        compiled, file_errors = check_mapping_file(path)
        errors += file_errors
        if compiled is None:
            continue
        if compiled.entity in mappings:
            other = mappings[compiled.entity].file
            at = compiled.spec.where("entity")
            errors.append(at.error(f"{other} already maps entity {compiled.entity!r}; keep one file per entity"))
            continue
        mappings[compiled.entity] = compiled
    return mappings, errors


def load_mapping(path: str | Path) -> CompiledMapping:
    """The compiled mapping in ``path``; ``MappingErrors`` listing every problem otherwise."""
    compiled, errors = check_mapping_file(path)
    if errors or compiled is None:
        raise MappingErrors(errors)
    return compiled


def load_mappings(directory: str | Path) -> dict[str, CompiledMapping]:
    """``{"opportunity": ..., "lead": ...}`` from a mappings folder; ``MappingErrors`` on any problem."""
    mappings, errors = check_mapping_dir(directory)
    if errors:
        raise MappingErrors(errors)
    return mappings
