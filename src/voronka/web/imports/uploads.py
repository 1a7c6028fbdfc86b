"""Where an uploaded import file lives, and its preview (headers and first rows) for the mapping page.

Each upload gets its own folder under MEDIA_ROOT/imports/; the preview is read once at upload
time so the mapping page does not re-read a large file.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from voronka.accounts.models import User
from voronka.imports.models import ImportJob
from voronka.intake.imports.reader import read_table

PREVIEW_ROWS = 3
ALLOWED_SUFFIXES = (".csv", ".txt", ".xlsx")


def upload_store(upload: UploadedFile, user: User) -> ImportJob:
    """Save the file, check it reads, and create the dry-run job that waits for its mapping.

    Raises ImportFileError (a ValueError) when the file cannot be read as a table.
    """
    folder = Path(settings.MEDIA_ROOT) / "imports" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    name = Path(upload.name or "import.csv").name
    path = folder / ("data" + Path(name).suffix.lower())
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    table = read_table(path)
    preview = {"headers": table.headers,
               "sample": [[row.get(h, "") for h in table.headers] for row in table.rows[:PREVIEW_ROWS]],
               "rows": len(table.rows)}
    (folder / "preview.json").write_text(json.dumps(preview, ensure_ascii=False), encoding="utf-8")
    return ImportJob.objects.create(created_by=user, file_name=name[:255], file_path=str(path),
                                    sha256=table.sha256, dry_run=True,
                                    report={"awaiting_mapping": True})


def preview_load(job: ImportJob) -> dict:
    path = Path(job.file_path).parent / "preview.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"headers": [], "sample": [], "rows": 0}
