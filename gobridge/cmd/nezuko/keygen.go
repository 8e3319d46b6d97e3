package main

import (
	"context"
	"fmt"

	"github.com/fernet/fernet-go"
)

func runKeygen(_ context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usageError{"takes no arguments"}
	}
	var k fernet.Key
	if err := k.Generate(); err != nil {
		return fmt.Errorf("generate key: %w", err)
	}
	fmt.Fprintln(e.stdout, k.Encode())
	return nil
}
