terraform {
  required_version = ">= 1.7.0" # `removed` blocks

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 7.0"
    }
  }
}
