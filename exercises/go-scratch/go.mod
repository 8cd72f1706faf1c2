module example.com/stagewise/goscratch

go 1.23
