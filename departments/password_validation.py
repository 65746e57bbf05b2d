"""Django's password validators with their messages in Chinese (Django's own zh-hans catalogue lacks the
current wording of some), so every page and the commands give the same rule in the same words."""

from __future__ import annotations

from django.contrib.auth import password_validation as django


class MinimumLengthValidator(django.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"密码至少 {self.min_length} 个字符。"


class UserAttributeSimilarityValidator(django.UserAttributeSimilarityValidator):
    def get_error_message(self) -> str:
        return "密码与%(verbose_name)s太相似。"

    def get_help_text(self) -> str:
        return "密码不能与账号、姓名等个人信息太相似。"


class CommonPasswordValidator(django.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return "密码太常见，容易被猜到。"

    def get_help_text(self) -> str:
        return "不能使用常见密码。"


class NumericPasswordValidator(django.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return "密码不能全是数字。"

    def get_help_text(self) -> str:
        return "密码不能全是数字。"
