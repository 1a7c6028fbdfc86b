from __future__ import annotations

import io

import openpyxl
import pytest

from voronka.intake.imports.mapping import mapping_build, mapping_guess, mapping_parse
from voronka.intake.imports.reader import ImportFileError, read_table

HEADER = ["Телефон", "Имя", "E-mail", "Источник"]


def test_utf8_with_bom_semicolon():
    data = "\ufeffТелефон;Имя;E-mail\n8 900 111-22-33;Анна;a@x.ru\n".encode()
    table = read_table(data)
    assert table.encoding == "utf-8-sig"
    assert table.delimiter == ";"
    assert table.headers == ["Телефон", "Имя", "E-mail"]
    assert table.rows == [{"Телефон": "8 900 111-22-33", "Имя": "Анна", "E-mail": "a@x.ru"}]


def test_cp1251_comma():
    data = "Телефон,Имя,Комментарий\n89001112233,Фёдор,\"звонил, просил\"\n".encode("cp1251")
    table = read_table(data)
    assert table.encoding == "cp1251"
    assert table.delimiter == ","
    assert table.rows[0]["Имя"] == "Фёдор"
    assert table.rows[0]["Комментарий"] == "звонил, просил"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters(delimiter):
    text = delimiter.join(HEADER) + "\n" + delimiter.join(
        ["+79001112233", "Анна", "a@x.ru", "Авито"]) + "\n"
    table = read_table(text.encode())
    assert table.delimiter == delimiter
    assert table.rows[0]["Источник"] == "Авито"


def test_short_rows_padded_and_blank_lines_skipped():
    table = read_table("Телефон;Имя\n\n+79001112233\n".encode())
    assert table.rows == [{"Телефон": "+79001112233", "Имя": ""}]


def test_xlsx():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Телефон", "Имя", "Сумма", "Дата"])
    sheet.append([79001112233, "Анна", 1500.0, None])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table(buffer.getvalue())
    assert table.encoding == "xlsx"
    assert table.rows == [{"Телефон": "79001112233", "Имя": "Анна", "Сумма": "1500", "Дата": ""}]


def test_empty_file_refused():
    with pytest.raises(ImportFileError):
        read_table(b"")
    with pytest.raises(ImportFileError):
        read_table(b"PK\x03\x04broken")


def test_guessing_russian_and_english():
    headers = ["Тел.", "ФИО", "Фамилия", "E-mail", "Организация", "Source", "Примечание",
               "Заголовок", "UTM_Source", "utm campaign", "Сумма", "Дата", "Что-то ещё",
               "Мобильный"]
    assert mapping_guess(headers) == {
        "Тел.": "phone", "ФИО": "name", "Фамилия": "last_name", "E-mail": "email",
        "Организация": "company_title", "Source": "source", "Примечание": "comments",
        "Заголовок": "title", "UTM_Source": "utm_source", "utm campaign": "utm_campaign",
        "Сумма": "amount", "Дата": "created_at", "Мобильный": "phone",
    }


def test_override():
    headers = ["Телефон", "Имя", "Кто"]
    mapping = mapping_build(headers, mapping_parse(["Кто=name", "Телефон=-"]))
    assert mapping == {"Кто": "name"}
    with pytest.raises(ValueError, match="Нет колонки"):
        mapping_build(headers, {"Нет такой": "name"})
    with pytest.raises(ValueError, match="Неизвестное поле"):
        mapping_build(headers, {"Кто": "nonsense"})
    with pytest.raises(ValueError):
        mapping_parse(["без знака равенства"])
